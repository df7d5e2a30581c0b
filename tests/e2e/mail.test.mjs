// The console's E-mail page in a real browser, against a real SMTP server (aiosmtpd, installed
// by scripts/aiosmtpd.sh, started here on 127.0.0.1): bad input shows next to its field, the
// settings are saved (the password is never shown again), a test mail is sent and shows in the
// outbox as sent, and the SMTP server has it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { openVisitor } from './visitor-client.mjs';
import { connectAgent } from './agent-ws.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let server;
let browser;
let shop;
shareServerAndBrowser({ env: { UNIQCHAT__MAIL__POLL_MS: '100', UNIQCHAT__MAIL__REPLY_DELAY_SECS: '1' } }, async (shared) => {
  ({ server, browser } = shared);
  await server.tenant('Initech', 'owner@initech.test');
  shop = await server.tenant('Shopco', 'owner@shopco.test');
});

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** aiosmtpd on a free port, writing each message it receives as JSON into a directory. */
async function startSmtp() {
  const python = execFileSync(join(ROOT, 'scripts/aiosmtpd.sh'), { encoding: 'utf8' }).trim();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'uniqchat-smtp-'));
  const child = spawn(python, [join(ROOT, 'tests/smtp/server.py'), String(port), dir], { stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    const up = await new Promise((r) => {
      const c = connect(port, '127.0.0.1', () => { c.end(); r(true); });
      c.on('error', () => r(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const messages = () => readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  return { port, messages, stop: () => child.kill() };
}

let smtp;
after(() => smtp?.stop());

test('an admin sets up SMTP, sends a test mail and sees it sent in the outbox', async () => {
  smtp = await startSmtp();
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.base}/admin`);
  await page.fill('input[name=email]', 'owner@initech.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.click('nav a[href="#mail"]');
  const form = page.locator('form.mail-settings');
  await form.waitFor();
  assert.equal(await page.locator('form.mail-test button[type=submit]').isDisabled(), true, 'no test mail before settings');

  // Bad input: the server's field errors show next to the fields.
  await form.locator('input[name=host]').fill('127.0.0.1');
  await form.locator('input[name=port]').fill('0');
  await form.locator('select[name=tls]').selectOption('none');
  await form.locator('input[name=from_address]').fill('not-an-address');
  await form.locator('button[type=submit]').click();
  await form.locator('.field[data-field=port] .field-error').filter({ hasText: /1 to 65535/ }).waitFor();
  await form.locator('.field[data-field=from_address] .field-error').filter({ hasText: /valid e-mail/ }).waitFor();
  await screenshot(page, 'admin-mail-errors');

  await form.locator('input[name=port]').fill(String(smtp.port));
  await form.locator('input[name=from_address]').fill('support@initech.test');
  await form.locator('input[name=from_name]').fill('Initech Support');
  await form.locator('input[name=password]').fill('not-really-used');
  await form.locator('button[type=submit]').click();
  await page.locator('form.mail-settings .form-note', { hasText: 'Saved.' }).waitFor();
  // The password is stored, never shown.
  assert.equal(await page.locator('form.mail-settings input[name=password]').inputValue(), '');
  assert.match(await page.locator('form.mail-settings input[name=password]').getAttribute('placeholder'), /stored/);
  // A password makes the worker authenticate; this test server offers no AUTH, so remove it.
  await page.locator('form.mail-settings input[name=clear_password]').check();
  await page.locator('form.mail-settings button[type=submit]').click();
  // Saved and shown again: no password stored now.
  await page.locator('form.mail-settings input[name=password][placeholder=none]').waitFor();

  const testForm = page.locator('form.mail-test');
  await testForm.locator('input[name=to]').fill('peter@initech.test');
  await testForm.locator('button[type=submit]').click();
  await page.locator('.mail-outbox td', { hasText: 'peter@initech.test' }).waitFor();
  // The worker sends it; Refresh until the row says sent.
  for (let i = 0; i < 100; i++) {
    if (await page.locator('.mail-outbox .tag.status-sent').count()) break;
    await page.locator('.mail-outbox button.refresh').click();
    await page.waitForTimeout(200);
  }
  await page.locator('.mail-outbox .tag.status-sent').waitFor();
  await screenshot(page, 'admin-mail-sent');
  const got = smtp.messages().filter((m) => m.rcpt_to.includes('peter@initech.test'));
  assert.equal(got.length, 1);
  assert.match(got[0].subject, /\[Initech\] Test mail/);
  assert.match(got[0].from, /Initech Support/);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the link in a reply mail reopens the widget with the conversation', async () => {
  smtp ??= await startSmtp();
  const token = await server.login('owner@shopco.test');
  await server.api('PUT', '/api/admin/mail', token, {
    host: '127.0.0.1', port: smtp.port, tls: 'none', from_address: 'help@shopco.test', from_name: 'Shopco',
  });
  const siteKey = shop.tenant.site_key;
  const agent = await connectAgent(browser, server.base, token);
  const visitor = await openVisitor(browser, server.base, siteKey, {
    email: 'ann@example.test', page_url: `${server.base}/demo?key=${siteKey}`,
  });
  const ack = await visitor.send('Hello from the shop');
  const cid = ack.conversation_id;
  await agent.waitFor((f) => f.type === 'conversation' && f.conversation?.state === 'chatting');
  await visitor.close();
  // Once the server has seen the visitor leave, an answer queues a reply mail.
  for (let n = 0; n < 50; n++) {
    await agent.send({ type: 'send', id: `a${n}`, conversation_id: cid, client_msg_id: `a${n}`, body: 'Your parcel ships today' });
    const outbox = await server.api('GET', '/api/admin/mail/outbox', token);
    if (outbox.some((m) => m.kind === 'reply')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  let mail;
  for (let i = 0; i < 300 && !mail; i++) {
    mail = smtp.messages().find((m) => m.rcpt_to.includes('ann@example.test'));
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, 'the reply mail arrived');
  const link = /(http\S+#uniqchat_reopen=\S+)/.exec(mail.text)?.[1];
  assert.ok(link, mail.text);

  // A fresh browser (no stored visitor) opens the link: the widget opens by itself with the chat.
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(link);
  await page.locator('.list', { hasText: 'Hello from the shop' }).waitFor();
  await page.locator('.list', { hasText: 'Your parcel ships today' }).waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
  await screenshot(page, 'widget-reopened-from-mail');
  assert.deepEqual(pageErrors, []);
  await context.close();
  await agent.close();
});
