// Single sign-on in Chromium: the owner configures the tenant's OpenID provider in the admin
// console, signs out, clicks "Sign in with …" on the login page, signs in at the provider (a
// real `oidc-provider`, tests/oidc/provider.mjs) and lands signed in to the workspace; a
// person with no account yet is provisioned as an agent.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, screenshot, PASSWORD } from './harness.mjs';

const OIDC = join(dirname(fileURLToPath(import.meta.url)), '..', 'oidc');
const CLIENT = { client_id: 'uniqchat-e2e', client_secret: 'e2e-client-secret-99' };

let server;
let browser;
let provider;
let issuer;
let acme;

/** Starts tests/oidc/provider.mjs; resolves with its issuer URL. */
function startProvider(config) {
  provider = spawn('node', ['provider.mjs', JSON.stringify(config)], { cwd: OIDC, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    provider.once('exit', (code) => reject(new Error(`provider exited with ${code}`)));
    createInterface({ input: provider.stdout }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice(6).trim());
    });
  });
}

before(async () => {
  server = await startServer();
  acme = await server.tenant('Acme SSO', 'owner@acme-sso.test');
  issuer = await startProvider({
    clients: [{ ...CLIENT, redirect_uris: [`${server.base}/api/auth/sso/callback`] }],
    accounts: {
      owner: { email: 'owner@acme-sso.test', email_verified: true, name: 'Olga Owner' },
      ann: { email: 'ann@acme-sso.test', email_verified: true, name: 'Ann Newcomer' },
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  provider?.kill();
  await server?.stop();
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** At the provider's sign-in form: sign in as `login`. */
async function signInAtProvider(page, login) {
  await page.waitForSelector('input[name=login]');
  assert.ok(page.url().startsWith(issuer), page.url());
  await page.fill('input[name=login]', login);
  await page.click('button[type=submit]');
}

test('the owner configures SSO, signs out and signs in with the provider', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(`${server.base}/admin`);
  await page.fill('input[name=email]', 'owner@acme-sso.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.click('nav a[href="#sso"]');
  await page.waitForSelector('.page[data-page=sso] form');
  const redirect = await page.textContent('.redirect-uri');
  assert.equal(redirect, `${server.base}/api/auth/sso/callback`);
  await page.check('input[name=enabled]');
  await page.fill('input[name=display_name]', 'Acme ID');
  await page.fill('input[name=issuer]', issuer);
  await page.fill('input[name=client_id]', CLIENT.client_id);
  await page.fill('input[name=client_secret]', CLIENT.client_secret);
  await page.check('input[name=auto_provision]');
  await page.click('.page[data-page=sso] button[type=submit]');
  await page.waitForSelector('text=Saved: single sign-on is on.');
  // The secret is never shown again: the field is empty, its placeholder says one is stored.
  assert.equal(await page.inputValue('input[name=client_secret]'), '');
  assert.match(await page.getAttribute('input[name=client_secret]', 'placeholder'), /stored/);
  await screenshot(page, 'sso-admin-settings');

  // Sign out: the login page now offers the provider (the tenant is remembered).
  // Wait for the signed-out page: signing out ends in a reload, which would cancel a navigation
  // started before it (under load the logout call takes long enough for that race).
  await page.click('.who button.link');
  await page.waitForSelector('.login input[name=email]');
  await page.goto(`${server.base}/agent`);
  const button = page.locator('a.sso-button');
  await button.waitFor();
  assert.equal(await button.textContent(), 'Sign in with Acme ID');
  await screenshot(page, 'sso-login-button');
  await button.click();
  await signInAtProvider(page, 'owner');
  await page.waitForSelector('.workspace');
  assert.equal(new URL(page.url()).hash, '', 'the one-time code left the address bar');
  const me = await page.evaluate(async () => {
    const { access_token } = JSON.parse(localStorage.getItem('uniqchat.session'));
    const r = await fetch('/api/auth/me', { headers: { authorization: `Bearer ${access_token}` } });
    return r.json();
  });
  assert.equal(me.user.email, 'owner@acme-sso.test');
  assert.equal(me.tenant.id, acme.tenant.id);
  await screenshot(page, 'sso-workspace');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a new person is provisioned from ?tenant= and an unknown state shows why', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(`${server.base}/agent?tenant=${acme.tenant.id}`);
  await page.click('a.sso-button');
  await signInAtProvider(page, 'ann');
  await page.waitForSelector('.workspace');
  const me = await page.evaluate(async () => {
    const { access_token } = JSON.parse(localStorage.getItem('uniqchat.session'));
    const r = await fetch('/api/auth/me', { headers: { authorization: `Bearer ${access_token}` } });
    return r.json();
  });
  assert.equal(me.user.email, 'ann@acme-sso.test');
  assert.equal(me.user.role, 'agent');
  await context.close();

  // A replayed or forged answer ends on the login page with the reason.
  const second = await newPage();
  await second.page.goto(`${server.base}/api/auth/sso/callback?code=forged&state=forged`);
  await second.page.waitForSelector('.login .error:not(:empty)');
  assert.match(await second.page.textContent('.login .error'), /Single sign-on failed: .*expired or was already used/);
  await screenshot(second.page, 'sso-error');
  assert.deepEqual([...errors, ...second.errors], []);
  await second.context.close();
});
