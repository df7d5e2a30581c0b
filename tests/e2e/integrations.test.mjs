// Integrations in a real browser: the admin console reveals the identity secret; a visitor
// verified with it shows their attributes in the agent's visitor panel; a business event posted
// through /api/v1/events appears as a card in the agent's chat, live.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { openVisitor } from './visitor-client.mjs';
import { stubBrowserApis } from './page-stubs.mjs';
import { connectAgent } from './agent-ws.mjs';

let server;
let browser;
let owner;
shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  owner = await server.tenant('Initech', 'owner@initech.test');
});

async function signIn(page, path) {
  await page.goto(`${server.base}${path}`);
  await page.fill('input[name=email]', 'owner@initech.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
}

test('the console reveals the identity secret; the workspace shows attributes and event cards', async () => {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  await context.addInitScript(stubBrowserApis);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => d.accept());

  // The admin console: Identity, reveal.
  await signIn(page, '/admin');
  await page.click('nav a[href="#identity"]');
  await page.locator('.page button', { hasText: 'Reveal secret' }).click();
  const shown = page.locator('.page .secret-value');
  await shown.waitFor();
  const secret = (await shown.textContent()).trim();
  const token = await server.login('owner@initech.test');
  assert.equal(secret, (await server.api('GET', '/api/admin/identity-secret', token)).secret);
  assert.match(secret, /^ids_/);
  await screenshot(page, 'admin-identity');

  // A verified visitor with attributes writes; the owner's workspace takes the conversation.
  await page.goto(`${server.base}/agent`);
  await page.waitForSelector('.workspace');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' });
  const visitor = await openVisitor(browser, server.base, owner.tenant.site_key);
  const userHash = createHmac('sha256', secret).update('cust-1042').digest('hex');
  const identified = await visitor.page.evaluate(async ([hash]) => {
    const r = await fetch('/api/visitor/identify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        visitor_token: window.__visitor.session.visitor_token, user_id: 'cust-1042', user_hash: hash,
        name: 'Ann Lee', email: 'ann@shop.example', attributes: { plan: 'Pro', orders: 12 },
      }),
    });
    return { status: r.status, body: await r.json() };
  }, [userHash]);
  assert.equal(identified.status, 200, JSON.stringify(identified.body));
  const ack = await visitor.send('Where is order 1042?');
  const conversationId = ack.conversation_id;
  const row = page.locator('[data-list=mine] .conv', { hasText: 'Ann Lee' });
  await row.waitFor();
  await row.click();
  await page.locator('.details', { hasText: 'cust-1042' }).waitFor();
  const attrs = page.locator('.details dl.attributes');
  await attrs.locator('dt', { hasText: 'plan' }).waitFor();
  assert.match(await attrs.textContent(), /plan\s*Pro/);
  assert.match(await attrs.textContent(), /orders\s*12/);

  // An event from the shop: a card in the chat, live.
  const apiToken = (await server.api('POST', '/api/admin/api-tokens', token, { name: 'shop', scopes: ['events:write'] })).secret;
  await server.api('POST', '/api/v1/events', apiToken, {
    conversation_id: conversationId,
    type: 'order.updated',
    title: 'Order #1042 shipped',
    fields: [{ label: 'Carrier', value: 'DHL' }, { label: 'Tracking', value: '00340434' }],
    url: 'https://shop.example/orders/1042',
    idempotency_key: 'order-1042-shipped',
    visible_to_visitor: false,
  });
  const card = page.locator('.messages .event-card', { hasText: 'Order #1042 shipped' });
  await card.waitFor();
  assert.equal(await card.locator('th', { hasText: 'Carrier' }).count(), 1);
  assert.equal(await card.locator('td', { hasText: 'DHL' }).count(), 1);
  assert.equal(await card.locator('a').getAttribute('href'), 'https://shop.example/orders/1042');
  await card.locator('.tag', { hasText: 'Agents only' }).waitFor();
  await screenshot(page, 'agent-event-card');

  // The visitor never received the hidden card.
  const frames = await visitor.page.evaluate(() => window.__visitor.frames);
  assert.ok(!frames.some((f) => f.type === 'message' && f.message.sender_kind === 'integration'));
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the widget verifies a user: a second browser shows the first one\'s history and visible cards', async () => {
  const token = await server.login('owner@initech.test');
  const secret = (await server.api('GET', '/api/admin/identity-secret', token)).secret;
  const hash = createHmac('sha256', secret).update('cust-77').digest('hex');
  const key = owner.tenant.site_key;
  // An agent online, so the widget offers its composer rather than the offline form.
  const agent = await connectAgent(browser, server.base, token);

  async function browserWithWidget() {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.base}/demo?key=${key}`);
    await page.locator('.launcher').waitFor();
    await page.waitForFunction((k) => JSON.parse(localStorage.getItem(`uniqchat:${k}`) || '{}').token, key);
    return { context, page };
  }
  const identify = (page, userHash) => page.evaluate(([h]) => window.uniqchat('identify', {
    user_id: 'cust-77', user_hash: h, name: 'Bo Chen', attributes: { plan: 'Team' },
  }).then((v) => ({ ok: true, v }), (e) => ({ ok: false, message: e.message })), [userHash]);

  // A wrong hash is refused by the server and the widget reports it.
  const one = await browserWithWidget();
  const refused = await identify(one.page, hash.replace(/^./, (c) => (c === '0' ? '1' : '0')));
  assert.equal(refused.ok, false);
  const first = await identify(one.page, hash);
  assert.equal(first.ok, true, JSON.stringify(first));
  assert.equal(first.v.external_id, 'cust-77');
  await one.page.locator('.launcher').click();
  await one.page.locator('textarea').fill('Sent from my laptop');
  await one.page.keyboard.press('Enter');
  await one.page.locator('.row.own:not(.pending) .bubble', { hasText: 'Sent from my laptop' }).waitFor();
  const conversationId = JSON.parse(await one.page.evaluate((k) => localStorage.getItem(`uniqchat:${k}`), key)).conversationId;

  // A card the shop makes visible reaches the widget.
  const apiToken = (await server.api('POST', '/api/admin/api-tokens', token, { name: 'shop2', scopes: ['events:write'] })).secret;
  await server.api('POST', '/api/v1/events', apiToken, {
    visitor: { external_id: 'cust-77' }, type: 'payment.failed', title: 'Payment failed',
    fields: [{ label: 'Amount', value: '€42.00' }], idempotency_key: 'pay-77', visible_to_visitor: true,
  });
  await one.page.locator('.event-card', { hasText: 'Payment failed' }).waitFor();

  // Another browser, another anonymous visitor: identifying as the same user shows the history.
  const two = await browserWithWidget();
  const second = await identify(two.page, hash);
  assert.equal(second.ok, true, JSON.stringify(second));
  assert.equal(second.v.id, first.v.id);
  await two.page.locator('.launcher').click();
  await two.page.locator('.row.own .bubble', { hasText: 'Sent from my laptop' }).waitFor();
  await two.page.locator('.event-card', { hasText: 'Payment failed' }).waitFor();
  const stored = JSON.parse(await two.page.evaluate((k) => localStorage.getItem(`uniqchat:${k}`), key));
  assert.equal(stored.conversationId, conversationId);
  await screenshot(two.page, 'widget-identified');
  await one.context.close();
  await two.context.close();
  await agent.close();
});
