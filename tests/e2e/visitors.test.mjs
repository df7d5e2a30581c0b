// Live visitors in a real browser: a visitor browsing two pages shows in the agent's live view
// with the page they are on now; the agent invites them and the widget opens with the message;
// an admin's trigger opens the widget by itself, once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { stubBrowserApis } from './page-stubs.mjs';

let server;
let browser;
let token;
let siteKey;

shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  const shop = await server.tenant('Live Shop', 'owner@liveshop.test');
  siteKey = shop.tenant.site_key;
  token = await server.login('owner@liveshop.test');
  await server.api('PATCH', `/api/admin/users/${shop.account.id}`, token, { name: 'Olivia Owner' }).catch(() => {});
});

async function signIn(page) {
  await page.goto(`${server.base}/agent`);
  await page.fill('input[name=email]', 'owner@liveshop.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.workspace');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' }); // the socket is open
}

async function visitorPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${server.base}/demo?key=${siteKey}`);
  await page.locator('[data-uniqchat]').waitFor({ state: 'attached' });
  return { context, page };
}

/** An in-page navigation, as a single-page shop does it. */
const navigate = (page, path, title) => page.evaluate(([p, t]) => {
  document.title = t;
  history.pushState({}, '', p);
}, [path, title]);

test('a browsing visitor shows live, the agent invites them, the widget opens with the message', async () => {
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  await agentContext.addInitScript(stubBrowserApis);
  const agent = await agentContext.newPage();
  const errors = [];
  agent.on('pageerror', (e) => errors.push(e.message));
  await signIn(agent);

  const { context, page } = await visitorPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await navigate(page, `/demo/shoes?key=${siteKey}`, 'Running shoes');

  await agent.click('.live-toggle');
  const row = agent.locator('.live-row');
  await row.locator('.live-page', { hasText: 'Running shoes' }).waitFor();
  assert.equal(await row.count(), 1);
  assert.match(await agent.locator('.live-count').innerText(), /^1$/);
  await screenshot(agent, 'live-visitors');

  await row.getByRole('button', { name: 'Invite to chat' }).click();
  await agent.fill('dialog textarea[name=body]', 'Hi! These run small — want help with the size?');
  await agent.click('dialog button.primary');
  // The conversation is the agent's and open in the chat.
  await agent.locator('.live-row .badge.chatting').waitFor();

  // The widget opened by itself with the agent's message.
  const bubble = page.locator('[data-uniqchat] .row.other .bubble', { hasText: 'These run small' });
  await bubble.waitFor();
  await page.locator('[data-uniqchat] .window').waitFor(); // open, visible
  await screenshot(page, 'widget-invited');

  // The visitor browses on: the agent's panel follows the page they are on now.
  await navigate(page, `/demo/socks?key=${siteKey}`, 'Socks');
  await agent.locator('.live-row .live-page', { hasText: 'Socks' }).waitFor();
  await agent.locator('.details .kv', { hasText: '/demo/socks' }).first().waitFor();
  await screenshot(agent, 'agent-invited');
  assert.deepEqual(errors, []);
  await context.close();
  await agentContext.close();
});

test('a trigger opens the widget once', async () => {
  const make = (name, url, message) => server.api('POST', '/api/admin/triggers', token, {
    name, url_match: 'contains', url_value: url, seconds: 1, message, sender_name: 'Shop assistant',
  });
  await make('checkout', '/demo/checkout', 'Any questions before you pay?');
  await make('thanks', '/demo/thanks', 'Thanks for shopping with us!');

  const { context, page } = await visitorPage();
  await navigate(page, `/demo/checkout?key=${siteKey}`, 'Checkout');
  const first = page.locator('[data-uniqchat] .row.other .bubble', { hasText: 'Any questions before you pay?' });
  await first.waitFor();
  await screenshot(page, 'widget-trigger');

  // Away and back the same day: the checkout trigger stays quiet; the next one shows, after it.
  await navigate(page, `/demo/cart?key=${siteKey}`, 'Cart');
  await navigate(page, `/demo/checkout?key=${siteKey}`, 'Checkout');
  await page.waitForTimeout(1500); // longer than the trigger's 1 s: it would have fired by now
  await navigate(page, `/demo/thanks?key=${siteKey}`, 'Thanks');
  await page.locator('[data-uniqchat] .row.other .bubble', { hasText: 'Thanks for shopping with us!' }).waitFor();
  assert.equal(await first.count(), 1);
  await context.close();
});
