// Routing scripts in the admin console: write a version, try it on a sample visitor (decision
// and error), activate it; then a visitor from the pricing page lands in the script's group,
// and the workspace shows the visitor's mood.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { openVisitor } from './visitor-client.mjs';

let server;
let browser;
let owner;
let token;
shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  owner = await server.tenant('Initech', 'owner@initech.test');
  token = await server.login('owner@initech.test');
});

const SCRIPT = `function route(visitor, agents, groups)
  if visitor.page and string.find(visitor.page, "/pricing", 1, true) then
    return {group = "Sales", priority = 3}
  end
  if visitor.language == "xx" then error("no such language") end
  return nil
end`;

test('an admin writes, tests and activates a routing script', async () => {
  const sales = await server.api('POST', '/api/admin/groups', token, { name: 'Sales' });
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.base}/admin#routing`);
  await page.fill('input[name=email]', 'owner@initech.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('.status-line', { hasText: 'No active script' }).waitFor();

  // A script that does not compile is refused next to the editor.
  const editor = page.locator('form', { has: page.locator('textarea[name=source]') });
  await editor.locator('textarea[name=source]').fill('function route( end');
  await editor.locator('button[type=submit]').click();
  await editor.locator('.field[data-field=source] .field-error', { hasText: /syntax error/ }).waitFor();

  await editor.locator('textarea[name=source]').fill(SCRIPT);
  await editor.locator('button[type=submit]').click();
  await page.locator('.page table td', { hasText: 'v1' }).waitFor();

  // Tried on a sample visitor: the decision, then an error.
  const tester = page.locator('form', { has: page.locator('input[name=page]') });
  await tester.locator('input[name=page]').fill('https://shop.test/pricing');
  await tester.locator('button[type=submit]').click();
  const result = tester.locator('.script-result');
  await result.filter({ hasText: 'Decision' }).waitFor();
  assert.match(await result.textContent(), new RegExp(`"group":"${sales.id}".*"priority":3`));
  await tester.locator('input[name=page]').fill('https://shop.test/');
  await tester.locator('input[name=language]').fill('xx');
  await tester.locator('button[type=submit]').click();
  await result.filter({ hasText: 'no such language' }).waitFor();
  assert.ok(await result.evaluate((el) => el.classList.contains('error')));
  await screenshot(page, 'admin-routing-script');

  await page.locator('.page table button', { hasText: 'Activate' }).click();
  await page.locator('.status-line', { hasText: 'Active: v1' }).waitFor();
  const list = await server.api('GET', '/api/admin/routing-scripts', token);
  assert.equal(list.active_version, 1);

  // A visitor from the pricing page: queued in the Sales group (nobody is online).
  const visitor = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Pat' });
  await visitor.send('This is terrible, the checkout is broken');
  let queued;
  for (let i = 0; i < 50 && !queued?.group_id; i++) {
    const open = await server.api('GET', '/api/agent/conversations?view=queue', token);
    queued = open.items?.[0];
    if (!queued?.group_id) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(queued?.group_id, sales.id, 'queued in the script\'s group');

  // In the workspace the waiting conversation shows the visitor's mood: unhappy.
  const workspace = await context.newPage();
  workspace.on('pageerror', (e) => pageErrors.push(e.message));
  await workspace.goto(`${server.base}/agent`);
  await workspace.locator('[data-list=waiting] .conv', { hasText: 'Pat' }).click();
  const mood = workspace.locator('.chat-head .mood[data-mood=negative]');
  await mood.waitFor();
  assert.match(await mood.textContent(), /^unhappy -0\.\d [↘→↗]$/);
  await screenshot(workspace, 'agent-visitor-mood');
  assert.deepEqual(pageErrors, []);
  await context.close();
});
