// The Reports page and the live monitor in a real browser, over real traffic: a conversation
// answered, closed and rated, and one left waiting. Screenshots: target/screenshots/admin-reports.png,
// monitor.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { openVisitor } from './visitor-client.mjs';
import { connectAgent } from './agent-ws.mjs';

let server;
let browser;
let owner;
shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  owner = await server.tenant('Initech', 'owner@initech.test');
  const token = await server.login('owner@initech.test');
  for (const [email, name] of [['ann@initech.test', 'Ann Agent'], ['bob@initech.test', 'Bob Agent']]) {
    await server.api('POST', '/api/admin/users', token, { email, name, role: 'agent', password: PASSWORD, max_chats: 4 });
  }
});

async function signIn(page, path) {
  await page.goto(`${server.base}${path}`);
  await page.fill('input[name=email]', 'owner@initech.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
}

test('reports show real traffic, download as CSV, and the monitor shows the queue', async () => {
  // Ann answers Walter, closes, and Walter rates 4 with a comment.
  const ann = await connectAgent(browser, server.base, await server.login('ann@initech.test'));
  const walter = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Walter' });
  const ack = await walter.send('Do you ship to Norway?');
  const conversation = ack.conversation_id;
  await ann.send({ type: 'send', id: 'a1', conversation_id: conversation, client_msg_id: 'a1', body: 'Yes, in 3 days.' });
  const sent = await ann.waitFor((f) => f.id === 'a1' && (f.type === 'ack' || f.type === 'error'));
  assert.equal(sent.type, 'ack', JSON.stringify(sent));
  await ann.send({ type: 'close', id: 'c1', conversation_id: conversation });
  await ann.waitFor((f) => f.id === 'c1' && f.type === 'closed');
  await walter.frame({ type: 'rate', id: 'r1', conversation_id: conversation, rating: 4, comment: 'Quick and clear' });
  await walter.waitFor((f) => f.id === 'r1' && f.type === 'rated');
  // Ann steps away; Vera's conversation then waits in the queue.
  await ann.send({ type: 'status', id: 's1', status: 'away' });
  await ann.waitFor((f) => f.id === 's1' && f.type === 'status');
  const vera = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Vera' });
  await vera.send('Hello? Anyone?');

  const context = await browser.newContext({ viewport: { width: 1360, height: 1500 }, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await signIn(page, '/admin#reports');
  const started = page.locator('[data-stat=started] .stat-value');
  await started.waitFor();
  assert.equal(await started.textContent(), '2');
  assert.equal(await page.locator('[data-stat=answered] .stat-value').textContent(), '1');
  assert.match(await page.locator('[data-stat=csat_average] .stat-value').textContent(), /^4\.00/);
  // A chart drawn by the vendored uPlot, the agents' table, the ratings and the comment.
  await page.locator('[data-report=conversations] .uplot canvas').first().waitFor();
  await page.locator('[data-report=agents] tr', { hasText: 'Ann Agent' }).waitFor();
  await page.locator('[data-report=comments] td', { hasText: 'Quick and clear' }).waitFor();
  assert.equal(await page.locator('.rating-row[data-rating="4"] .rating-count').textContent(), '1');
  assert.equal(await page.locator('.heat-cell:not([data-started="0"])').count() >= 1, true);
  await screenshot(page, 'admin-reports');

  // Narrowed to Bob, who had nothing: the totals follow, the tables stay whole.
  await page.selectOption('select[name=agent_id]', { label: 'Bob Agent' });
  await page.click('form.range button[type=submit]');
  await page.locator('.period', { hasText: 'for Bob Agent' }).waitFor();
  assert.equal(await started.textContent(), '0');
  await page.locator('[data-report=agents] tr', { hasText: 'Ann Agent' }).waitFor();
  await page.selectOption('select[name=agent_id]', '');
  await page.click('form.range button[type=submit]');
  await page.locator('[data-stat=started] .stat-value', { hasText: '2' }).waitFor();

  // CSV download of the agents' table.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-report=agents] button.csv').click(),
  ]);
  assert.match(download.suggestedFilename(), /^agents-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString());
  assert.match(text, /^agent_id,name,started,answered,/);
  assert.match(text, /,Ann Agent,1,1,0,/);

  // By hour: the chart is drawn again with a point per hour of the week.
  await page.selectOption('select[name=interval]', 'hour');
  const [hourly] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/admin/reports/conversations?') && r.url().includes('interval=hour')),
    page.click('form.range button[type=submit]'),
  ]);
  assert.equal(hourly.status(), 200);
  assert.equal((await hourly.json()).rows.length, 7 * 24); // the tenant's zone is UTC: no clock change
  await page.locator('[data-report=conversations] .uplot canvas').waitFor();
  assert.equal(await started.textContent(), '2');
  await page.selectOption('select[name=interval]', 'day');

  // A bad range: the server's message is shown.
  await page.fill('input[name=from]', '2026-03-10');
  await page.fill('input[name=to]', '2026-03-01');
  await page.click('form.range button[type=submit]');
  await page.locator('form.range .error', { hasText: 'to:' }).waitFor();

  // The monitor, in the same session: Vera waits (an alert at 0 minutes), Ann is away.
  const wall = await context.newPage();
  wall.on('pageerror', (e) => pageErrors.push(e.message));
  await wall.setViewportSize({ width: 1600, height: 900 });
  await wall.goto(`${server.base}/admin/monitor?alert=0`);
  await wall.locator('[data-tile=waiting] .tile-value', { hasText: '1' }).waitFor();
  assert.equal(await wall.locator('[data-tile=csat] .tile-value').textContent(), '4.0');
  await wall.locator('.alerts[role=alert]', { hasText: '1 visitor waiting' }).waitFor();
  const annCard = wall.locator('.agent', { hasText: 'Ann Agent' });
  assert.equal(await annCard.locator('.agent-status').textContent(), 'away');
  assert.equal(await wall.locator('.agent', { hasText: 'Bob Agent' }).locator('.agent-status').textContent(), 'offline');
  const bg = await wall.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(11, 15, 23)');
  await screenshot(wall, 'monitor');

  // Ann comes back online: she gets Vera, and the next poll shows it.
  await ann.send({ type: 'status', id: 's2', status: 'online' });
  await wall.locator('[data-tile=waiting] .tile-value', { hasText: '0' }).waitFor({ timeout: 15_000 });
  await annCard.locator('.agent-count', { hasText: '1 / 4' }).waitFor();
  await wall.locator('.alerts.calm').waitFor();

  // Without a session the monitor points to the console.
  const stranger = await browser.newPage();
  await stranger.goto(`${server.base}/admin/monitor`);
  await stranger.locator('.signin a[href="/admin"]').waitFor();
  await stranger.close();

  assert.deepEqual(pageErrors, []);
  await context.close();
  await walter.close();
  await vera.close();
  await ann.close();
});
