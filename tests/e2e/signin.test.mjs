// Sign-in: an e-mail with accounts in several tenants picks its tenant after the password;
// two-factor sign-in is set up in the profile (QR code) and then asked for at sign-in; an owner
// requires it of everyone, and an account without it enrols at its next sign-in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
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
  await server.tenant('Gamma Goods', 'gail@gamma.test');
  await server.tenant('Delta Bank', 'dora@delta.test');
});

/** RFC 6238 code (HMAC-SHA1, 30 s steps, 6 digits) of the base32 `secret`, `offset` steps from now. */
function totp(secret, offset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offset));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[19] & 0x0f;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

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

test('two-factor sign-in: enrol with the QR code in the profile, then sign in with a code', async () => {
  const { context, page: p, errors } = await page();
  await p.goto(`${server.base}/agent`);
  await p.fill('input[name=email]', 'gail@gamma.test');
  await p.fill('input[name=password]', PASSWORD);
  await p.click('button[type=submit]');
  await p.waitForSelector('.workspace');
  await p.getByRole('button', { name: 'Profile' }).click();
  const dialog = p.locator('dialog.profile');
  await dialog.locator('.enrol-2fa').click();
  await dialog.locator('img.qr').waitFor();
  const secret = (await dialog.locator('code.secret').textContent()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal(await dialog.locator('img.qr').evaluate((img) => img.complete && img.naturalWidth > 0), true, 'the QR code renders');
  await screenshot(p, 'profile-2fa-enrol');
  await dialog.locator('input[name=enable_code]').fill(totp(secret));
  await dialog.locator('.enable-2fa button[type=submit]').click();
  await dialog.locator('.recovery-codes pre').waitFor();
  const codes = (await dialog.locator('.recovery-codes pre').textContent()).split('\n');
  assert.equal(codes.length, 10);
  await screenshot(p, 'profile-2fa-on');
  await context.close();

  // A new browser signs in: password, then the next code (the enrolment one is spent).
  const second = await page();
  await second.page.goto(`${server.base}/agent`);
  await second.page.fill('input[name=email]', 'gail@gamma.test');
  await second.page.fill('input[name=password]', PASSWORD);
  await second.page.click('button[type=submit]');
  await second.page.waitForSelector('form.two-factor');
  await second.page.fill('input[name=code]', totp(secret, -5));
  await second.page.click('form.two-factor button[type=submit]');
  await second.page.locator('form.two-factor .error', { hasText: 'Wrong' }).waitFor();
  await screenshot(second.page, 'signin-2fa-code');
  await second.page.fill('input[name=code]', totp(secret, 1));
  await second.page.click('form.two-factor button[type=submit]');
  await second.page.waitForSelector('.workspace');
  assert.deepEqual([...errors, ...second.errors], []);
  await second.context.close();
});

test('the owner requires two-factor sign-in; an agent without it enrols at sign-in', async () => {
  // The owner has two-factor on (a requirement for the rule), and an agent has not.
  const owner = await server.login('dora@delta.test');
  const setup = await server.api('POST', '/api/auth/2fa/setup', owner, {});
  await server.api('POST', '/api/auth/2fa/enable', owner, { code: totp(setup.secret) });
  await server.api('POST', '/api/admin/users', owner, { email: 'ed@delta.test', name: 'Ed', role: 'agent', password: PASSWORD });

  // The owner turns the rule on in the console.
  const admin = await page();
  await admin.page.goto(`${server.base}/admin`);
  await admin.page.fill('input[name=email]', 'dora@delta.test');
  await admin.page.fill('input[name=password]', PASSWORD);
  await admin.page.click('button[type=submit]');
  await admin.page.waitForSelector('form.two-factor');
  await admin.page.fill('input[name=code]', totp(setup.secret, 1));
  await admin.page.click('form.two-factor button[type=submit]');
  await admin.page.waitForSelector('.console');
  await admin.page.goto(`${server.base}/admin#security`);
  const box = admin.page.locator('input[name=require_two_factor]');
  await box.waitFor();
  assert.equal(await box.isChecked(), false);
  await box.check();
  await admin.page.click('form button[type=submit]');
  await admin.page.locator('[role=status]', { hasText: 'now required' }).waitFor();
  await screenshot(admin.page, 'admin-security-require-2fa');
  const policy = await server.api('GET', '/api/admin/security', owner);
  assert.equal(policy.require_two_factor, true);
  await admin.context.close();

  // The agent signs in: the workspace asks for enrolment first, then opens.
  const agent = await page();
  await agent.page.goto(`${server.base}/agent`);
  await agent.page.fill('input[name=email]', 'ed@delta.test');
  await agent.page.fill('input[name=password]', PASSWORD);
  await agent.page.click('button[type=submit]');
  await agent.page.waitForSelector('form.enrol-2fa img.qr');
  assert.equal(await agent.page.locator('form.enrol-2fa img.qr').evaluate((img) => img.complete && img.naturalWidth > 0), true);
  await screenshot(agent.page, 'signin-required-enrolment');
  const secret = (await agent.page.locator('form.enrol-2fa code.secret').textContent()).trim();
  await agent.page.fill('input[name=enrol_code]', totp(secret));
  await agent.page.click('form.enrol-2fa button[type=submit]');
  await agent.page.waitForSelector('form.enrol-codes pre.recovery-codes');
  assert.equal((await agent.page.locator('pre.recovery-codes').textContent()).split('\n').length, 10);
  await agent.page.click('form.enrol-codes button');
  await agent.page.waitForSelector('.workspace');
  // The session the workspace holds now is a full one.
  const status = await agent.page.evaluate(async () => {
    const { access_token } = JSON.parse(localStorage.getItem('uniqchat.session'));
    return (await fetch('/api/agent/conversations?view=queue', { headers: { authorization: `Bearer ${access_token}` } })).status;
  });
  assert.equal(status, 200);
  assert.deepEqual([...admin.errors, ...agent.errors], []);
  await agent.context.close();
});
