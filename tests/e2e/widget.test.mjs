// The visitor widget in a real browser, embedded in the demo shop page as a customer would,
// with an agent on the other end of the real agent WebSocket.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot } from './harness.mjs';
import { connectAgent } from './agent-ws.mjs';

let server;
let browser;
let shop; // tenant with an agent online
let agent;
let agentToken;

shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  shop = await server.tenant('Northwind Tea', 'owner@northwind.example');
  agentToken = await server.login('owner@northwind.example');
  agent = await connectAgent(browser, server.base, agentToken);
});

/** A visitor on the demo page in a fresh browser profile (own localStorage). */
async function visitor(siteKey, { width = 1280, height = 800, init } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'en-US' });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  if (init) await page.addInitScript(init);
  await page.goto(`${server.base}/demo?key=${siteKey}`);
  await page.locator('.launcher').waitFor();
  return { page, context, dialogs };
}

/** The agent waits for the visitor's message, accepts the conversation and returns its id. */
async function agentReceives(body) {
  const f = await agent.waitFor(new Function('f', `return f.type === 'message' && f.message.body === ${JSON.stringify(body)}`));
  return f.message.conversation_id;
}

let replyCount = 0;
async function agentSays(conversationId, body) {
  replyCount += 1;
  await agent.send({ type: 'send', conversation_id: conversationId, client_msg_id: `reply-${replyCount}`, body });
}

const bubbles = (page, kind) => page.locator(`.row.${kind} .bubble`);

test('a visitor writes, the agent answers, a reload keeps the conversation, the agent closes and the visitor rates', async () => {
  const { page, context, dialogs } = await visitor(shop.tenant.site_key);
  await page.locator('.launcher').click();
  await page.locator('.window').waitFor();
  await page.locator('textarea').fill('Hello, is the Sencha in stock?');
  await page.keyboard.press('Enter');

  const conversationId = await agentReceives('Hello, is the Sencha in stock?');
  await agent.send({ type: 'accept', conversation_id: conversationId });
  await agentSays(conversationId, 'Hi! Yes, we have 40 tins left.');
  await bubbles(page, 'other').filter({ hasText: 'we have 40 tins left' }).waitFor();

  // Markup in a message is text: shown as typed, nothing runs, no element is created.
  const evil = '<img src=x onerror=alert(1)>';
  await agentSays(conversationId, evil);
  await bubbles(page, 'other').filter({ hasText: evil }).waitFor();
  assert.equal(await bubbles(page, 'other').last().textContent(), evil);
  assert.equal(await page.locator('[data-uniqchat] img').count(), 0);
  await screenshot(page, 'widget-conversation');

  // Shift+Enter makes a new line instead of sending.
  await page.locator('textarea').fill('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  assert.equal(await page.locator('textarea').inputValue(), 'line one\nline two');
  await page.keyboard.press('Enter');
  await agentReceives('line one\nline two');

  await page.reload();
  await page.locator('.launcher').click();
  await bubbles(page, 'other').filter({ hasText: 'we have 40 tins left' }).waitFor();
  await bubbles(page, 'own').filter({ hasText: 'line two' }).waitFor();
  assert.equal(await bubbles(page, 'own').filter({ hasText: 'Sencha in stock' }).count(), 1);
  assert.equal(await bubbles(page, 'other').filter({ hasText: 'we have 40 tins left' }).count(), 1);
  assert.equal(await bubbles(page, 'other').count(), 2);

  // Enough messages that the list scrolls; the last one stays in sight above the rating form.
  for (let i = 1; i <= 8; i += 1) await agentSays(conversationId, `Tea fact ${i}`);
  await agentSays(conversationId, 'Anything else I can do for you?');
  await bubbles(page, 'other').filter({ hasText: 'Anything else' }).waitFor();
  await agent.send({ type: 'close', conversation_id: conversationId });
  await page.getByRole('button', { name: '4 of 5' }).waitFor();
  await page.waitForFunction(() => {
    const root = document.querySelector('[data-uniqchat]').shadowRoot;
    const list = root.querySelector('.list').getBoundingClientRect();
    const last = [...root.querySelectorAll('.row.other')].at(-1).getBoundingClientRect();
    return last.bottom <= list.bottom + 1 && last.top >= list.top;
  }, null, { timeout: 5000 });
  await page.getByRole('button', { name: '4 of 5' }).click();
  await page.locator('textarea[name=comment]').fill('Quick and friendly');
  await screenshot(page, 'widget-rating');
  await page.getByRole('button', { name: 'Send rating' }).click();
  await page.getByText('Thank you for your feedback!').waitFor();

  const closed = await server.api('GET', '/api/agent/conversations?view=closed', agentToken);
  const rated = closed.items.find((c) => c.id === conversationId);
  assert.equal(rated.rating, 4);
  assert.deepEqual(dialogs, []);
  await context.close();
});

test('with nobody online the widget offers the offline form and the message still reaches the queue', async () => {
  const quiet = await server.tenant('Quiet Shop', 'owner@quiet.example');
  const { page, context } = await visitor(quiet.tenant.site_key);
  await page.locator('.launcher').click();
  await page.getByRole('heading', { name: 'We are offline' }).waitFor();
  assert.equal(await page.locator('form.composer').isHidden(), true);
  await page.locator('input[name=email]').fill('ann@example.com');
  await page.locator('textarea[name=message]').fill('Please call me back about my order');
  await screenshot(page, 'widget-offline');
  await page.getByRole('button', { name: 'Leave a message' }).click();
  // Acknowledged by the server: the bubble is no longer pending.
  await page.locator('.row.own:not(.pending) .bubble', { hasText: 'Please call me back' }).waitFor();
  // One state at a time: the confirmation, and neither a queue position nor a live box.
  await offlineConfirmed(page, 'ann@example.com');
  await screenshot(page, 'widget-offline-sent');

  const token = await server.login('owner@quiet.example');
  const queue = await server.api('GET', '/api/agent/conversations?view=queue', token);
  assert.equal(queue.items.length, 1);

  // A reload keeps the same single state.
  await page.reload();
  await page.locator('.launcher').click();
  await page.locator('.row.own .bubble', { hasText: 'Please call me back' }).waitFor();
  await offlineConfirmed(page, 'ann@example.com');
  await context.close();
});

/** The offline form was sent: its confirmation shows, the queue and the composer do not. */
async function offlineConfirmed(page, email) {
  await page.getByText(`Thanks! We'll reply by e-mail to ${email}.`).waitFor();
  // Give a `queue` frame time to arrive, then check it changed nothing.
  await page.waitForTimeout(500);
  assert.equal(await page.getByText(/in the queue/).count(), 0);
  assert.equal(await page.locator('form.composer').isHidden(), true);
  assert.equal(await page.locator('input[name=email]').count(), 0, 'the form is gone');
}

test('with the only agent away the visitor gets the offline form, not a queue', async () => {
  const away = await server.tenant('Away Shop', 'owner@away.example');
  const token = await server.login('owner@away.example');
  const only = await connectAgent(browser, server.base, token);
  await only.send({ type: 'status', id: 'away', status: 'away' });
  await only.waitFor((f) => f.type === 'status' && f.status === 'away');
  const { page, context } = await visitor(away.tenant.site_key);
  await page.locator('.launcher').click();
  await page.getByRole('heading', { name: 'We are offline' }).waitFor();
  assert.equal(await page.locator('form.composer').isHidden(), true);
  await page.locator('input[name=email]').fill('bo@example.com');
  await page.locator('textarea[name=message]').fill('Do you ship to Norway?');
  await page.getByRole('button', { name: 'Leave a message' }).click();
  await offlineConfirmed(page, 'bo@example.com');

  // The agent comes back and takes it while the visitor is still there: now it is a live chat.
  const waiting = await only.waitFor((f) => f.type === 'message' && f.message.body === 'Do you ship to Norway?');
  await only.send({ type: 'accept', id: 'acc', conversation_id: waiting.message.conversation_id });
  await page.locator('form.composer').waitFor();
  assert.equal(await page.getByText(/We'll reply by e-mail/).count(), 0);
  await context.close();
  await only.close();
});

test('on a 375px wide screen the open widget fills the screen', async () => {
  const { page, context } = await visitor(shop.tenant.site_key, { width: 375, height: 740 });
  await page.locator('.launcher').click();
  const box = await page.locator('.window').boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 375, 740]);
  await screenshot(page, 'widget-mobile');
  await page.keyboard.press('Escape');
  await page.locator('.window').waitFor({ state: 'hidden' });
  await context.close();
});

test("the host page's CSS does not change the widget", async () => {
  const { page, context } = await visitor(shop.tenant.site_key);
  await page.locator('.launcher').click();
  const look = () => page.locator('header h2').evaluate((h) => {
    const s = getComputedStyle(h);
    return [s.color, s.fontSize, s.fontFamily];
  });
  const before = await look();
  await page.addStyleTag({ content: '* { color: red !important; font-size: 40px !important; font-family: serif !important }' });
  assert.deepEqual(await look(), before);
  assert.equal(before[1], '16px');
  await context.close();
});

test('the JS API: calls queued before the script loads, open, close and message events', async () => {
  // The snippet a customer pastes before the script tag: calls wait in uniqchat.q.
  const init = () => {
    window.uniqchat = window.uniqchat || function () { (window.uniqchat.q = window.uniqchat.q || []).push(arguments); };
    window.__got = [];
    window.uniqchat('on', 'message', (m) => window.__got.push(m.body));
    window.uniqchat('open');
  };
  const { page, context } = await visitor(shop.tenant.site_key, { init });
  await page.locator('.window').waitFor();
  await page.evaluate(() => window.uniqchat('close'));
  await page.locator('.window').waitFor({ state: 'hidden' });
  await page.evaluate(() => window.uniqchat('open'));
  await page.locator('.window').waitFor();

  await page.locator('textarea').fill('API test here');
  await page.keyboard.press('Enter');
  const id = await agentReceives('API test here');
  await agent.send({ type: 'accept', conversation_id: id });
  await agentSays(id, 'Event delivered');
  await page.waitForFunction(() => window.__got.includes('Event delivered'));

  // After a reload the listener hears new messages only, not the history read before.
  await page.reload();
  await page.locator('.row.other .bubble', { hasText: 'Event delivered' }).waitFor();
  await agentSays(id, 'After the reload');
  await page.waitForFunction(() => window.__got.includes('After the reload'));
  assert.deepEqual(await page.evaluate(() => window.__got), ['After the reload']);
  await context.close();
});

test('a change of title and colour in the admin console reaches an open widget without a reload', async () => {
  const { page, context } = await visitor(shop.tenant.site_key);
  await page.locator('.launcher').click();
  await page.locator('.window').waitFor();
  await server.api('PATCH', '/api/admin/settings', agentToken, { widget_title: 'Northwind live help', widget_color: '#0f766e' });
  // Open shadow root: Playwright's CSS locators look inside it.
  const title = page.locator('header', { hasText: 'Northwind live help' });
  await title.waitFor();
  const accent = await page.evaluate(() => {
    const host = [...document.querySelectorAll('*')].find((e) => e.shadowRoot);
    return host.style.getPropertyValue('--accent');
  });
  assert.equal(accent, '#0f766e');
  assert.ok(await title.isVisible());
  await screenshot(page, 'widget-live-settings');
  // Put the shop's look back for the other tests.
  await server.api('PATCH', '/api/admin/settings', agentToken, { widget_title: 'Northwind Tea', widget_color: '#4f46e5' });
  await context.close();
});
