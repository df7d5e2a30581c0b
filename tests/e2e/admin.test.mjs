// The admin console in a real browser: overview, creating an agent who can then sign in to the
// workspace, field errors, the widget colour and its live preview, the blacklist, the audit log,
// and an agent kept out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { openVisitor } from './visitor-client.mjs';

let server;
let browser;
let owner;
shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  owner = await server.tenant('Globex', 'owner@globex.test');
});

async function signIn(page, path, email, password = PASSWORD) {
  await page.goto(`${server.base}${path}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

const statValue = (page, key) => page.locator(`[data-stat=${key}] .stat-value`).textContent();

test('the owner runs the console: overview, agents, widget, blacklist, audit', async () => {
  // One visitor waits: nobody is online.
  const visitor = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Walter' });
  await visitor.send('Is anyone there?');

  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await signIn(page, '/admin', 'owner@globex.test', 'not-the-password');
  await page.locator('.login .error', { hasText: 'Wrong e-mail or password' }).waitFor();
  await signIn(page, '/admin', 'owner@globex.test');
  await page.locator('[data-stat=waiting]').waitFor();
  assert.equal(await statValue(page, 'waiting'), '1');
  assert.equal(await statValue(page, 'open'), '1');
  assert.equal(await statValue(page, 'today'), '1');
  assert.equal(await statValue(page, 'online_agents'), '0');
  await screenshot(page, 'admin-overview');

  // A group, then an agent in it.
  await page.click('nav a[href="#groups"]');
  await page.fill('.page form input[name=name]', 'Billing');
  await page.click('.page form button[type=submit]');
  await page.locator('.page table td', { hasText: 'Billing' }).waitFor();

  await page.click('nav a[href="#agents"]');
  const create = page.locator('form.create-agent');
  await create.locator('input[name=email]').fill('not-an-email');
  await create.locator('button[type=submit]').click();
  const emailError = create.locator('.field[data-field=email] .field-error');
  await emailError.filter({ hasText: /./ }).waitFor();
  assert.match(await emailError.textContent(), /e-?mail/i);

  await create.locator('input[name=email]').fill('ann@globex.test');
  await create.locator('input[name=name]').fill('Ann Agent');
  await create.locator('input[name=max_chats]').fill('3');
  await create.locator('label.check', { hasText: 'Billing' }).locator('input').check();
  await create.locator('button[type=submit]').click();
  const secret = page.locator('.secret .secret-value');
  await secret.waitFor();
  const oneTime = await secret.textContent();
  assert.ok(oneTime.length >= 8, oneTime);
  await page.locator('.page table td', { hasText: 'ann@globex.test' }).waitFor();
  await screenshot(page, 'admin-agents');

  // Ann signs in to the workspace with it, picks her own password, and is in.
  const annContext = await browser.newContext();
  const ann = await annContext.newPage();
  await signIn(ann, '/agent', 'ann@globex.test', oneTime);
  await ann.locator('form.choose-password').waitFor();
  await ann.fill('input[name=new_password]', 'Ann-Own-Password-42');
  await ann.click('button[type=submit]');
  await ann.locator('.workspace .me', { hasText: 'Ann Agent' }).waitFor();
  // The waiting visitor reaches her: in the queue, or routed to her as she came online.
  await ann.locator('.lists .conv', { hasText: 'Walter' }).waitFor();

  // An agent is not let into the console.
  await ann.goto(`${server.base}/admin`);
  await ann.locator('.denied', { hasText: 'Not allowed' }).waitFor();
  await annContext.close();

  // The group lists her as a member.
  await page.click('nav a[href="#groups"]');
  await page.locator('.page table tr', { hasText: 'Billing' }).locator('.tag', { hasText: 'Ann Agent' }).waitFor();

  // The widget colour: the preview follows as it is typed, and it is saved.
  await page.click('nav a[href="#settings"]');
  const colour = page.locator('input[name=widget_color]');
  await colour.fill('#e11d48');
  const bubble = page.locator('.preview .pv-bubble');
  assert.equal(await bubble.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(225, 29, 72)');
  await page.fill('input[name=widget_title]', 'Talk to Globex');
  await page.fill('input[name=hours_mon]', '09:00-12:00, 13:00-17:30');
  await page.fill('input[name=hours_tue]', '9-17'); // whole hours, as people type them
  await page.fill('input[name=timezone]', 'Europe/Berlin');
  assert.equal(await page.locator('.preview .pv-head strong').textContent(), 'Talk to Globex');
  assert.match(await page.locator('.snippet').textContent(), new RegExp(`/widget\\.js" data-site-key="${owner.tenant.site_key}" async`));
  await page.click('form.settings-form button[type=submit]');
  await page.locator('.saved', { hasText: 'Saved' }).waitFor();
  const token = await server.login('owner@globex.test');
  const settings = await server.api('GET', '/api/admin/settings', token);
  assert.equal(settings.widget_color, '#e11d48');
  assert.equal(settings.widget_title, 'Talk to Globex');
  assert.equal(settings.timezone, 'Europe/Berlin');
  assert.deepEqual(settings.business_hours, { mon: [['09:00', '12:00'], ['13:00', '17:30']], tue: [['09:00', '17:00']] });
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'admin-settings');

  // A bad time zone is reported next to its field.
  await page.fill('input[name=timezone]', 'Mars/Olympus');
  await page.click('form.settings-form button[type=submit]');
  await page.locator('.field[data-field=timezone] .field-error').filter({ hasText: /./ }).waitFor();
  // A refused range names its day in words.
  await page.fill('input[name=timezone]', 'Europe/Berlin');
  await page.fill('input[name=hours_wed]', '17-9');
  await page.click('form.settings-form button[type=submit]');
  await page.locator('.field[data-field=business_hours] .field-error', { hasText: /^Wednesday: / }).waitFor();
  await page.fill('input[name=hours_wed]', '');

  // Archive and deletion ages: a deletion before the archive is refused next to its field,
  // then both are saved.
  await page.fill('input[name=archive_after_days]', '90');
  await page.fill('input[name=delete_after_days]', '30');
  await page.click('form.settings-form button[type=submit]');
  await page.locator('.field[data-field=delete_after_days] .field-error').filter({ hasText: /more than archive_after_days/ }).waitFor();
  await page.fill('input[name=delete_after_days]', '730');
  await page.click('form.settings-form button[type=submit]');
  await page.locator('.saved', { hasText: 'Saved' }).waitFor();
  const archive = await server.api('GET', '/api/admin/settings', token);
  assert.equal(archive.archive_after_days, 90);
  assert.equal(archive.delete_after_days, 730);

  // The blacklist.
  await page.click('nav a[href="#blacklist"]');
  const block = page.locator('form.create-block');
  await block.locator('input[name=value]').fill('203.0.113.7');
  await block.locator('input[name=reason]').fill('Spam');
  await block.locator('button[type=submit]').click();
  await page.locator('.page table tr', { hasText: '203.0.113.7' }).filter({ hasText: 'Spam' }).waitFor();

  // The audit log names what happened.
  await page.click('nav a[href="#audit"]');
  for (const action of ['group.create', 'user.create', 'settings.update', 'blacklist.create']) {
    await page.locator('.page table code.action', { hasText: action }).first().waitFor();
  }
  await screenshot(page, 'admin-audit');

  // A quick reply for the agents.
  await page.click('nav a[href="#quick-replies"]');
  await page.fill('.page form input[name=shortcut]', 'refund');
  await page.fill('.page form input[name=title]', 'Refund policy');
  await page.fill('.page form textarea[name=body]', 'Refunds take 5 to 7 days.');
  await page.click('.page form button[type=submit]');
  await page.locator('.page table tr', { hasText: '/refund' }).waitFor();
  const replies = await server.api('GET', '/api/admin/quick-replies', token);
  assert.deepEqual(replies.map((r) => r.shortcut), ['refund']);

  // An API token: its secret is shown once and works.
  await page.click('nav a[href="#tokens"]');
  await page.fill('.page form input[name=name]', 'CRM sync');
  await page.locator('label.check', { hasText: 'users:read' }).locator('input').check();
  await page.click('.page form button[type=submit]');
  const apiSecret = await page.locator('.secret .secret-value').textContent();
  assert.match(apiSecret, /^uc_/);
  const viaToken = await server.api('GET', '/api/admin/users', apiSecret);
  assert.ok(viaToken.items.some((u) => u.email === 'ann@globex.test'));
  await page.locator('.page table tr', { hasText: 'CRM sync' }).waitFor();

  // Disabling Ann locks her out.
  await page.click('nav a[href="#agents"]');
  await page.locator('.page table tr', { hasText: 'ann@globex.test' }).locator('button', { hasText: 'Disable' }).click();
  await page.locator('.page table tr', { hasText: 'ann@globex.test' }).locator('.tag.off').waitFor();
  await assert.rejects(server.login('ann@globex.test', 'Ann-Own-Password-42'), /401/);

  assert.deepEqual(pageErrors, [], 'no script errors in the page');
  await visitor.close();
  await context.close();
});
