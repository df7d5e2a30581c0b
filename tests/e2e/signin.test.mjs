// Sign-in: an e-mail with accounts in several tenants picks its tenant after the password.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { stubBrowserApis } from './page-stubs.mjs';

let server;
let browser;
let alpha;
let beta;

shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  // The same person owns two tenants (an e-mail is unique per tenant).
  alpha = await server.tenant('Alpha Shop', 'pat@multi.test');
  beta = await server.tenant('Beta Store', 'pat@multi.test');
});

async function page() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  await context.addInitScript(stubBrowserApis);
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  return { context, page: p, errors };
}

/** The tenant the page's stored session belongs to, asked from the server. */
const signedInTenant = (p) => p.evaluate(async () => {
  const { access_token } = JSON.parse(localStorage.getItem('uniqchat.session'));
  const r = await fetch('/api/auth/me', { headers: { authorization: `Bearer ${access_token}` } });
  return (await r.json()).tenant.id;
});

test('an e-mail in two tenants picks the tenant after the password', async () => {
  const { context, page: p, errors } = await page();
  await p.goto(`${server.base}/agent`);
  await p.fill('input[name=email]', 'pat@multi.test');
  await p.fill('input[name=password]', PASSWORD);
  await p.click('button[type=submit]');
  await p.waitForSelector('.pick-tenant');
  const names = await p.locator('.tenant-choice').allTextContents();
  assert.deepEqual(names.sort(), ['Alpha Shop', 'Beta Store']);
  await screenshot(p, 'signin-tenant-picker');
  await p.click('.tenant-choice:has-text("Beta Store")');
  await p.waitForSelector('.workspace');
  assert.equal(await signedInTenant(p), beta.tenant.id);
  assert.notEqual(beta.tenant.id, alpha.tenant.id);
  assert.deepEqual(errors, []);
  await context.close();
});
