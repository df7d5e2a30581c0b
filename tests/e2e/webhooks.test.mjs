// The console's Webhooks page in a real browser: create an endpoint for a receiver on
// 127.0.0.1 (the server allows private addresses here, the endpoint asks for it), see the
// signing secret once, send a test event that the receiver verifies, and find it in the
// delivery log; then redeliver it and turn the endpoint off.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';

let server;
let browser;
shareServerAndBrowser({
  env: {
    UNIQCHAT__WEBHOOKS__ALLOW_PRIVATE_ADDRESSES: 'true',
    UNIQCHAT__WEBHOOKS__POLL_MS: '100',
  },
}, async (shared) => {
  ({ server, browser } = shared);
  await server.tenant('Initech', 'owner@initech.test');
});

/** A receiver that checks each signature with `secret()`; returns its URL and what it got. */
async function receiver(secret) {
  const got = [];
  const srv = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ts = req.headers['uniqchat-timestamp'];
      const expected = 'v1=' + createHmac('sha256', secret()).update(`${ts}.${body}`).digest('hex');
      const valid = req.headers['uniqchat-signature'] === expected;
      got.push({ id: req.headers['uniqchat-event-id'], type: req.headers['uniqchat-event-type'], valid, body: JSON.parse(body) });
      res.writeHead(valid ? 200 : 400, { 'content-type': 'text/plain' });
      res.end(valid ? 'thanks, got it' : 'bad signature');
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${srv.address().port}/hooks`, got, close: () => srv.close() };
}

test('an admin adds a webhook, sees the secret once, sends a test event and reads the log', async () => {
  let secret = '';
  const hook = await receiver(() => secret);
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.base}/admin`);
  await page.fill('input[name=email]', 'owner@initech.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.click('nav a[href="#webhooks"]');
  const form = page.locator('form.create-webhook');
  await form.waitFor();

  // A private address without asking for it: the field error comes back from the server.
  await form.locator('input[name=url]').fill(hook.url);
  await form.locator('label.check', { hasText: /^conversation\.created$/ }).locator('input').check();
  await form.locator('button[type=submit]').click();
  const urlError = form.locator('.field[data-field=url] .field-error');
  await urlError.filter({ hasText: /private|non-public/ }).waitFor();

  await form.locator('input[name=allow_private_network]').check();
  await form.locator('label.check', { hasText: /^message\.created$/ }).locator('input').check();
  await form.locator('button[type=submit]').click();
  const shown = page.locator('.secret .secret-value');
  await shown.waitFor();
  secret = await shown.textContent();
  assert.match(secret, /^whsec_\w{32}$/);
  await page.locator('.page table td', { hasText: hook.url }).waitFor();
  await screenshot(page, 'admin-webhooks-created');

  // The secret is shown once: after a reload of the page it is gone.
  await page.click('nav a[href="#tokens"]');
  await page.click('nav a[href="#webhooks"]');
  await page.locator('.page table td', { hasText: hook.url }).waitFor();
  assert.equal(await page.locator('.secret .secret-value').count(), 0);
  assert.equal((await page.content()).includes(secret), false);

  // Send a test event: the receiver verifies it; the log shows it delivered with code and answer.
  await page.click('button.test');
  const log = page.locator('.delivery-log');
  await log.waitFor();
  const deadline = Date.now() + 20_000;
  while (!(await log.locator('.status-delivered').count())) {
    assert.ok(Date.now() < deadline, 'the test event never showed as delivered');
    await page.waitForTimeout(300);
    await log.locator('button', { hasText: 'Refresh' }).click();
  }
  assert.equal(hook.got.length, 1);
  assert.equal(hook.got[0].type, 'ping');
  assert.ok(hook.got[0].valid, 'the receiver could not verify the signature');
  const row = log.locator('tbody tr').first();
  assert.match(await row.textContent(), /ping.*delivered.*200.*ms.*thanks, got it/s);
  await screenshot(page, 'admin-webhooks-log');

  // Redeliver: the receiver gets the same event id again.
  await row.locator('button.redeliver').click();
  while (hook.got.length < 2) {
    assert.ok(Date.now() < deadline + 20_000, 'the redelivery never arrived');
    await page.waitForTimeout(200);
  }
  assert.equal(hook.got[1].id, hook.got[0].id);

  // Turn it off: the table says so.
  await page.click('button.toggle');
  await page.locator('.page table .tag.off', { hasText: 'disabled' }).waitFor();
  assert.deepEqual(pageErrors, []);
  await context.close();
  hook.close();
});
