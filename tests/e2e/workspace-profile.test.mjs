// The workspace's lists after a reload (each conversation with its last message, its time and
// who wrote it), unread counts only where the agent can clear them, the tab's title and icon
// with the unread count, and the profile (name, avatar initials, password, alerts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { openVisitor } from './visitor-client.mjs';
import { connectAgent } from './agent-ws.mjs';
import { stubBrowserApis } from './page-stubs.mjs';

let server;
let browser;
let shop;
let ownerToken;

shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  shop = await server.tenant('Globex', 'owner@globex.test');
  ownerToken = await server.login('owner@globex.test');
  await server.api('PATCH', `/api/admin/users/${shop.account.id}`, ownerToken, { name: 'Olivia Owner' });
  await server.api('POST', '/api/admin/users', ownerToken, { email: 'sam@globex.test', name: 'Sam Agent', role: 'agent', password: PASSWORD });
});

async function signIn(page, email = 'owner@globex.test', password = PASSWORD) {
  await page.goto(`${server.base}/agent`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.workspace');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' });
}

async function workspace() {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  await context.addInitScript(stubBrowserApis);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

const item = (page, list, name) => page.locator(`[data-list=${list}] .conv`, { hasText: name });

test('lists show the last message after a reload; only my chats and the queue count as unread, in the tab too', async () => {
  const { context, page, errors } = await workspace();
  await signIn(page);
  // The owner is away, so Sam (online over the socket) gets the visitor.
  await page.selectOption('.status-switch', 'away');
  await page.waitForSelector('.me .dot.away');
  const sam = await connectAgent(browser, server.base, await server.login('sam@globex.test'));

  const vera = await openVisitor(browser, server.base, shop.tenant.site_key, { name: 'Vera Visitor' });
  await vera.send('Where is my parcel?');
  const veras = item(page, 'others', 'Vera Visitor');
  await veras.locator('.conv-preview', { hasText: 'Where is my parcel?' }).waitFor();
  const hello = await sam.waitFor((f) => f.type === 'message' && f.message.body === 'Where is my parcel?');
  await sam.send({ type: 'send', conversation_id: hello.message.conversation_id, client_msg_id: 'r1', body: 'It left the warehouse today.' });
  await sam.waitFor((f) => f.type === 'ack' && f.client_msg_id === 'r1');
  assert.equal(await veras.locator('.badge.unread').count(), 0, "Sam's chat is not mine to read");

  // Sam goes away too: the next visitor waits, and the queue does count.
  await sam.send({ type: 'status', id: 'away', status: 'away' });
  await sam.waitFor((f) => f.type === 'status' && f.status === 'away');
  const otto = await openVisitor(browser, server.base, shop.tenant.site_key, { name: 'Otto Other' });
  await otto.send('Do you sell gift cards?');
  const ottos = item(page, 'waiting', 'Otto Other');
  await ottos.locator('.badge.unread').waitFor();
  // Live: the preview follows the newest message, with its time.
  await otto.send('A 50 euro one, please');
  await ottos.locator('.conv-preview', { hasText: 'A 50 euro one, please' }).waitFor();
  assert.match(await ottos.locator('.conv-time').textContent(), /\d/);

  await page.reload();
  await page.waitForSelector('.workspace');
  await veras.locator('.conv-preview', { hasText: 'Sam Agent: It left the warehouse today.' }).waitFor();
  await ottos.locator('.conv-preview', { hasText: 'A 50 euro one, please' }).waitFor();
  assert.equal(await veras.locator('.badge.unread').count(), 0, 'no badge after a reload either');
  const badge = Number(await ottos.locator('.badge.unread').textContent());
  assert.ok(badge > 0);
  await page.waitForFunction((n) => document.title === `(${n}) uniqchat`, badge);
  const icon = page.locator('link[rel=icon]');
  assert.equal(await icon.getAttribute('data-unread'), String(badge));
  assert.match(await icon.getAttribute('href'), /^data:image\/svg\+xml,/);
  await screenshot(page, 'agent-previews');

  // Reading it clears the count, the title and the icon.
  await ottos.click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.waitForFunction(() => document.title === 'uniqchat');
  assert.equal(await icon.getAttribute('href'), '/assets/shared/favicon.svg');
  assert.deepEqual(errors, []);
  await sam.close();
  await vera.page.close();
  await otto.page.close();
  await context.close();
});

test('the profile changes my name and avatar, my password, and this browser\'s alerts', async () => {
  await server.api('POST', '/api/admin/users', ownerToken, { email: 'pia@globex.test', name: 'Pia', role: 'agent', password: PASSWORD });
  const { context, page, errors } = await workspace();
  await signIn(page, 'pia@globex.test');
  await page.getByRole('button', { name: 'Profile' }).click();
  const dialog = page.locator('dialog.profile');
  await dialog.waitFor();
  // A refused name says why.
  await dialog.locator('input[name=name]').fill('   ');
  await dialog.getByRole('button', { name: 'Save name' }).click();
  await dialog.getByText('must not be empty').waitFor();
  await dialog.locator('input[name=name]').fill('Pia Lindqvist');
  assert.equal(await dialog.locator('.avatar.big').textContent(), 'PL', 'initials follow the typing');
  await dialog.getByRole('button', { name: 'Save name' }).click();
  await dialog.getByText('Saved.').waitFor();
  await page.locator('.me-name strong', { hasText: 'Pia Lindqvist' }).waitFor();
  assert.equal(await page.locator('.me-avatar').textContent(), 'PL');
  const pia = await server.login('pia@globex.test');
  assert.equal((await server.api('GET', '/api/auth/me', pia)).user.name, 'Pia Lindqvist');

  await dialog.locator('input[name=sound]').uncheck();
  await dialog.locator('input[name=current_password]').fill('wrong-password');
  await dialog.locator('input[name=new_password]').fill('Brand-New-Secret-7');
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await dialog.getByText('is not correct').waitFor();
  await dialog.locator('input[name=current_password]').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await dialog.getByText('Password changed').waitFor();
  await screenshot(page, 'agent-profile');
  await server.login('pia@globex.test', 'Brand-New-Secret-7');
  await assert.rejects(server.login('pia@globex.test', PASSWORD));

  // This tab stays signed in, and the alert settings stay in this browser.
  await page.reload();
  await page.waitForSelector('.workspace');
  assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('uniqchat.agent.prefs'))), { notify: true, sound: false });
  await page.getByRole('button', { name: 'Profile' }).click();
  assert.equal(await page.locator('dialog.profile input[name=sound]').isChecked(), false);
  assert.equal(await page.locator('dialog.profile input[name=notify]').isChecked(), true);
  assert.deepEqual(errors, []);
  await context.close();
});
