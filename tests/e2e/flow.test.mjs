// The whole support conversation as people live it, both sides in real pages: a visitor on the
// demo shop writes in the widget; an agent signed in at /agent is notified, answers under their
// own name; markup stays text on both sides; the visitor reloads and keeps the conversation; the
// agent closes it and the visitor's rating reaches the agent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { stubBrowserApis } from './page-stubs.mjs';

let server;
let browser;
let shop;
shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  shop = await server.tenant('Northwind Tea', 'olivia@northwind.example');
  const token = await server.login('olivia@northwind.example');
  await server.api('PATCH', `/api/admin/users/${shop.account.id}`, token, { name: 'Olivia Hart' });
  await server.api('PATCH', '/api/admin/settings', token, { welcome_message: 'Hi! How can we help you today?' });
});

/** A page that fails the test on any dialog (an alert would mean markup ran) or script error. */
async function watchedPage(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`));
  return { page, problems };
}

test('visitor on /demo and agent at /agent: notify, reply with the agent name, reload, close, rate', async () => {
  const evil = '<img src=x onerror=alert(1)>';

  // The agent signs in and leaves the tab in the background.
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  await agentContext.addInitScript(stubBrowserApis);
  const { page: agent, problems: agentProblems } = await watchedPage(agentContext);
  await agent.goto(`${server.base}/agent`);
  await agent.fill('input[name=email]', 'olivia@northwind.example');
  await agent.fill('input[name=password]', PASSWORD);
  await agent.click('button[type=submit]');
  await agent.waitForSelector('.workspace');
  await agent.waitForSelector('.conn[hidden]', { state: 'attached' });
  await agent.evaluate(() => window.__setHidden(true));

  // A visitor on the shop page opens the widget and writes.
  const visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const { page: visitor, problems: visitorProblems } = await watchedPage(visitorContext);
  await visitor.goto(`${server.base}/demo?key=${shop.tenant.site_key}`);
  await visitor.locator('.launcher').click();
  await visitor.locator('.window').waitFor();
  await visitor.locator('.row.system', { hasText: 'How can we help you today?' }).waitFor();
  await visitor.locator('textarea').fill('Hello, is the Sencha in stock?');
  await visitor.keyboard.press('Enter');
  await visitor.locator('.row.own:not(.pending) .bubble', { hasText: 'Sencha in stock' }).waitFor();
  // The stored welcome takes the place of the one shown before the conversation existed.
  await visitor.waitForFunction(() => document.querySelector('[data-uniqchat]').shadowRoot.querySelectorAll('.row').length >= 2);
  assert.equal(await visitor.locator('.row.system', { hasText: 'How can we help you today?' }).count(), 1);
  // In the order the server stored them: the welcome first.
  assert.deepEqual((await visitor.locator('.row .bubble').allTextContents()).slice(0, 2), [
    'Hi! How can we help you today?',
    'Hello, is the Sencha in stock?',
  ]);

  // The background tab raises a system notification naming the visitor's words.
  await agent.waitForFunction(() => window.__notifications.some((n) => /Sencha/.test(n.body ?? '')));
  await agent.evaluate(() => window.__setHidden(false));

  // Olivia was online, so the conversation was routed to her.
  const mine = agent.locator('[data-list=mine] .conv');
  await mine.first().click();
  await agent.locator('.messages .msg.in .body', { hasText: 'Sencha in stock' }).waitFor();
  const composer = agent.locator('.composer-input');
  await composer.fill('Hi! Yes, we have 40 tins left.');
  await composer.press('Enter');

  // The visitor sees the answer, signed with the agent's name.
  const answer = visitor.locator('.row.other', { hasText: 'we have 40 tins left' });
  await answer.waitFor();
  assert.match(await answer.locator('.meta').textContent(), /^Olivia Hart · /);
  assert.equal(await answer.locator('.avatar').textContent(), 'OH');

  // Markup is text on both sides: shown as typed, no element made, nothing runs.
  await visitor.locator('textarea').fill(evil);
  await visitor.keyboard.press('Enter');
  await agent.locator('.messages .msg.in .body', { hasText: evil }).waitFor();
  await composer.fill(evil);
  await composer.press('Enter');
  await visitor.locator('.row.other .bubble', { hasText: evil }).waitFor();
  assert.equal(await visitor.locator('[data-uniqchat] img').count(), 0);
  assert.equal(await agent.locator('.messages img').count(), 0);
  await screenshot(visitor, 'flow-visitor');
  await screenshot(agent, 'flow-agent');

  // A reload keeps the visitor and the conversation, each message once.
  await visitor.reload();
  await visitor.locator('.launcher').click();
  await visitor.locator('.row.other', { hasText: 'we have 40 tins left' }).waitFor();
  const bodies = await visitor.locator('.row .bubble').allTextContents();
  for (const body of ['Hello, is the Sencha in stock?', 'Hi! Yes, we have 40 tins left.', evil]) {
    assert.equal(bodies.filter((b) => b === body).length, body === evil ? 2 : 1, `${body} in ${JSON.stringify(bodies)}`);
  }
  assert.match(
    await visitor.locator('.row.other', { hasText: 'we have 40 tins left' }).locator('.meta').textContent(),
    /^Olivia Hart · /,
  );

  // The agent closes; the widget asks for a rating, and the agent sees it arrive.
  await agent.click('.chat-actions .close-conv');
  await agent.locator('.chat-head .pill.closed').waitFor();
  await visitor.getByRole('button', { name: '5 of 5' }).click();
  await visitor.locator('textarea[name=comment]').fill('Lovely tea, lovely people');
  await visitor.getByRole('button', { name: 'Send rating' }).click();
  await visitor.getByText('Thank you for your feedback!').waitFor();
  await agent.locator('.chat-head .rating[aria-label="Rated 5 of 5"]').waitFor();
  assert.equal(await agent.locator('.chat-head .rating').getAttribute('title'), 'Lovely tea, lovely people');
  await screenshot(agent, 'flow-agent-rated');

  assert.deepEqual(visitorProblems, []);
  assert.deepEqual(agentProblems, []);
  await visitorContext.close();
  await agentContext.close();
});
