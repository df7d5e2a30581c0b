// The admin console's Privacy page (docs/privacy.md) and Files page in a real browser: a
// visitor's data downloaded as JSON, the visitor erased after typing their id, the erasure in
// the audit log; the tenant's file limits saved below the server's. Screenshot:
// target/screenshots/admin-privacy.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { openVisitor } from './visitor-client.mjs';

let server;
let browser;
let owner;
shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  owner = await server.tenant('Privacorp', 'owner@privacorp.test');
});

async function signIn(page, path) {
  await page.goto(`${server.base}${path}`);
  await page.fill('input[name=email]', 'owner@privacorp.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
}

test('the Privacy page exports a visitor as JSON and erases them after confirmation', async () => {
  const erin = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Erin Erased', email: 'erin@example.com' });
  await erin.send('Please forget me');
  const kim = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Kim Kept' });
  await kim.send('Keep me');
  const erinId = await erin.page.evaluate(() => window.__visitor.session.visitor.id);
  const kimId = await kim.page.evaluate(() => window.__visitor.session.visitor.id);

  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await signIn(page, '/admin#privacy');
  const row = page.locator(`tr[data-visitor="${erinId}"]`);
  await row.waitFor();
  await page.locator(`tr[data-visitor="${kimId}"]`).waitFor();
  assert.match(await row.textContent(), /Erin Erased/);
  await screenshot(page, 'admin-privacy');

  // Export data: a JSON download with the visitor and their message.
  const [download] = await Promise.all([page.waitForEvent('download'), row.locator('button.export').click()]);
  assert.equal(download.suggestedFilename(), `visitor-${erinId}.json`);
  const text = await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString());
  const data = JSON.parse(text);
  assert.equal(data.visitor.id, erinId);
  assert.equal(data.visitor.email, 'erin@example.com');
  assert.ok(data.conversations[0].messages.some((m) => m.sender_kind === 'visitor' && m.body === 'Please forget me'), text);

  // Erase: cancelling the prompt, or typing something else, erases nothing.
  page.once('dialog', (d) => d.dismiss());
  await row.locator('button.erase').click();
  page.once('dialog', (d) => d.accept('not the id'));
  await row.locator('button.erase').click();
  await page.locator('[role=status]', { hasText: 'confirm' }).waitFor();
  assert.equal(await row.count(), 1);

  page.once('dialog', (d) => d.accept(erinId));
  await row.locator('button.erase').click();
  await page.locator('[role=status]', { hasText: `Erased ${erinId}: 1 conversations` }).waitFor();
  assert.equal(await page.locator(`tr[data-visitor="${erinId}"]`).count(), 0);
  await page.locator(`tr[data-visitor="${kimId}"]`).waitFor();
  // Her widget was closed, and the export is gone.
  await erin.waitFor((f) => f.type === '__closed');
  const token = await server.login('owner@privacorp.test');
  await assert.rejects(server.api('GET', `/api/admin/visitors/${erinId}/export`, token), /404/);

  // The audit log shows both requests.
  await page.goto(`${server.base}/admin#audit`);
  await page.locator('td', { hasText: 'visitor.erase' }).first().waitFor();
  await page.locator('td', { hasText: 'visitor.export' }).first().waitFor();
  assert.deepEqual(pageErrors, []);
  await context.close();
  await erin.close();
  await kim.close();
});

test('the Files page lowers the tenant\'s file limits and refuses more than the server\'s', async () => {
  const page = await browser.newPage();
  await signIn(page, '/admin#files');
  const bytes = page.locator('input[name=max_file_bytes]');
  await bytes.waitFor();
  const ceiling = Number(await bytes.getAttribute('max'));
  assert.ok(ceiling > 0);
  // Above the server's: the server's message next to the field, nothing saved.
  await bytes.fill(String(ceiling + 1));
  await page.click('form button[type=submit]');
  await page.locator('.field[data-field=max_file_bytes] .field-error', { hasText: 'server' }).waitFor();
  await bytes.fill('5000');
  await page.locator('input[name=allowed_types][value="application/pdf"]').uncheck();
  await page.click('form button[type=submit]');
  await page.locator('[role=status]', { hasText: 'at most 5000 bytes' }).waitFor();
  const token = await server.login('owner@privacorp.test');
  const limits = await server.api('GET', '/api/admin/file-limits', token);
  assert.equal(limits.tenant.max_file_bytes, 5000);
  assert.ok(!limits.effective.allowed_types.includes('application/pdf'));
  await page.reload();
  await page.locator('input[name=max_file_bytes]').waitFor();
  assert.equal(await page.locator('input[name=max_file_bytes]').inputValue(), '5000');
  await page.close();
});
