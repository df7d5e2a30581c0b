// The agent workspace in a real browser: sign in, status, a visitor's conversation arriving
// (with a notification while the tab is hidden), accept, reply, quick reply, read state,
// markup shown as text, two tabs in step, close.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { openVisitor } from './visitor-client.mjs';
import { stubBrowserApis } from './page-stubs.mjs';

let server;
let browser;
let owner;
// Many frames per second, so a test can pile up a long history quickly.
const manyFrames = {
  UNIQCHAT__REALTIME__FRAMES_PER_SECOND: '1000',
  UNIQCHAT__REALTIME__FRAME_BURST: '1000',
  UNIQCHAT__CONNECTIONS__VISITOR_MESSAGES_PER_SECOND: '1000',
  UNIQCHAT__CONNECTIONS__VISITOR_MESSAGE_BURST: '1000',
};
shareServerAndBrowser({ env: manyFrames }, async (shared) => {
  ({ server, browser } = shared);
  owner = await server.tenant('Acme', 'owner@acme.test');
  const token = await server.login('owner@acme.test');
  await server.api('POST', '/api/admin/quick-replies', token, {
    shortcut: 'thanks',
    title: 'Thanks for waiting',
    body: 'Thank you for waiting, I am looking into it now.',
  });
  await server.api('PATCH', '/api/admin/users/' + owner.account.id, token, { name: 'Olivia Owner' }).catch(() => {});
});

async function signIn(page) {
  await page.goto(`${server.base}/agent`);
  await page.fill('input[name=email]', 'owner@acme.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.workspace');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' }); // the socket is open
}

test('an agent takes a conversation from the queue and chats with the visitor', async () => {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  await context.addInitScript(stubBrowserApis);
  const page = await context.newPage();
  const dialogs = [];
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });

  await signIn(page);
  await screenshot(page, 'agent-empty');

  // Away: new conversations wait in the queue instead of being routed to this agent.
  await page.selectOption('.status-switch', 'away');
  await page.waitForSelector('.me .dot.away');
  const team = await server.api('GET', '/api/agent/team', await server.login('owner@acme.test'));
  assert.equal(team.items.find((m) => m.id === owner.account.id).status, 'away');

  await page.evaluate(() => window.__setHidden(true));
  const visitor = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Vera Visitor', email: 'vera@example.com' });
  await visitor.send('Hello, my order has not arrived');
  const waiting = page.locator('[data-list=waiting] .conv', { hasText: 'Vera Visitor' });
  await waiting.waitFor();
  assert.match(await waiting.locator('.wait').textContent(), /\d+s/);
  await screenshot(page, 'agent-waiting');
  await page.waitForFunction(() => window.__notifications.length > 0);
  const notes = await page.evaluate(() => window.__notifications);
  assert.ok(notes.some((n) => /conversation|message/i.test(n.title)), JSON.stringify(notes));
  await page.evaluate(() => window.__setHidden(false));

  // Accept and reply from the workspace; the visitor receives it.
  await waiting.click();
  await page.locator('.messages .msg.in .body', { hasText: 'my order has not arrived' }).waitFor();
  await page.click('.chat-actions button:has-text("Accept")');
  await page.locator('.chat-head .pill.chatting').waitFor();
  await page.locator('[data-list=mine] .conv', { hasText: 'Vera Visitor' }).waitFor();
  const composer = page.locator('.composer-input');
  await composer.fill('Hi Vera, let me check that for you.');
  await composer.press('Enter');
  const reply = await visitor.waitFor(
    (f) => f.type === 'message' && f.message.sender_kind === 'agent' && f.message.body === 'Hi Vera, let me check that for you.',
  );
  await page.locator('.messages .msg.out .body', { hasText: 'let me check that' }).waitFor();

  // The visitor types and reads: the agent sees both.
  await visitor.frame({ type: 'typing', conversation_id: reply.message.conversation_id, on: true });
  await page.locator('.typing', { hasText: 'typing' }).waitFor();
  await visitor.frame({ type: 'read', conversation_id: reply.message.conversation_id, seq: reply.message.seq });
  await page.locator('.msg.out .seen').waitFor();

  // A quick reply by its shortcut.
  await composer.pressSequentially('/tha');
  await page.locator('.quick li[data-shortcut=thanks]').waitFor();
  await screenshot(page, 'agent-quick-replies');
  await composer.press('Enter');
  assert.equal(await composer.inputValue(), 'Thank you for waiting, I am looking into it now.');
  await composer.press('Enter');
  await visitor.waitFor((f) => f.type === 'message' && f.message.body.startsWith('Thank you for waiting'));

  // Markup from a visitor is text: no element is made and no script runs.
  await visitor.send('<img src=x onerror=alert(1)>');
  await page.locator('.messages .msg.in .body', { hasText: '<img src=x onerror=alert(1)>' }).waitFor();
  assert.equal(await page.locator('.messages img').count(), 0);
  assert.deepEqual(dialogs, []);

  // An internal note stays with the agents.
  await page.click('.tabs .tab[data-mode=note]');
  await composer.fill('Customer is a returning buyer');
  await composer.press('Enter');
  await page.locator('.messages .msg.note .body', { hasText: 'returning buyer' }).waitFor();
  await page.click('.tabs .tab[data-mode=reply]');

  // The visitor panel shows where they came from.
  await page.locator('.details', { hasText: 'https://shop.example/pricing' }).waitFor();
  await page.locator('.details', { hasText: 'vera@example.com' }).waitFor();
  await screenshot(page, 'agent-chat');

  // A second tab of the same agent gets the same messages.
  const second = await context.newPage();
  await second.goto(`${server.base}/agent`); // signed in already: the session is stored
  await second.waitForSelector('.workspace');
  await second.locator('[data-list=mine] .conv', { hasText: 'Vera Visitor' }).click();
  await second.locator('.messages .msg.out .body', { hasText: 'let me check that' }).waitFor();
  await visitor.send('Are you both there?');
  for (const p of [page, second]) {
    await p.locator('.messages .msg.in .body', { hasText: 'Are you both there?' }).waitFor();
  }
  await second.close();

  // Search finds the message and opens its conversation.
  await page.fill('.search', 'order has not');
  const hit = page.locator('.results .conv.hit', { hasText: 'my order has not arrived' });
  // The match is highlighted: a <mark> holding exactly the searched text, built from text nodes.
  assert.equal(await hit.locator('mark').first().textContent(), 'order has not');
  await hit.click();
  await page.locator('.chat-head', { hasText: 'Vera Visitor' }).waitFor();
  await page.fill('.search', '');
  await page.locator('[data-list=mine]').waitFor();

  // On a phone the lists and the chat take turns.
  await page.setViewportSize({ width: 400, height: 780 });
  assert.equal(await page.locator('.lists').isVisible(), false);
  await page.click('.chat-head .back');
  await page.locator('.lists').waitFor();
  assert.equal(await page.locator('.chat').isVisible(), false);
  await page.locator('[data-list=mine] .conv', { hasText: 'Vera Visitor' }).click();
  await page.locator('.chat .composer-input').waitFor();
  await screenshot(page, 'agent-phone');
  // The visitor's details open over the chat on demand.
  assert.equal(await page.locator('.details').isVisible(), false);
  await page.click('.details-toggle');
  await page.locator('.details', { hasText: 'vera@example.com' }).waitFor();
  await page.click('.details .details-close');
  await page.locator('.details').waitFor({ state: 'hidden' });
  await page.setViewportSize({ width: 1360, height: 820 });

  // Close: the visitor is told, and the conversation leaves the open lists.
  await page.click('.chat-actions .close-conv');
  await visitor.waitFor((f) => f.type === 'closed' || (f.type === 'conversation' && f.conversation.state === 'closed'));
  await page.locator('.chat-head .pill.closed').waitFor();
  await page.locator('[data-list=mine] .conv', { hasText: 'Vera Visitor' }).waitFor({ state: 'detached' });
  await page.locator('.composer-note', { hasText: 'closed' }).waitFor();

  assert.deepEqual(pageErrors, [], 'no script errors in the page');
  await visitor.close();
  await context.close();
});

test('older messages load on scroll, unread counts, transfer to a teammate, block', async () => {
  const t = await server.tenant('Initech', 'owner@initech.test');
  const token = await server.login('owner@initech.test');
  await server.api('POST', '/api/admin/users', token, {
    email: 'bob@initech.test', name: 'Bob Builder', role: 'agent', password: 'Bob-Password-12345',
  });

  // Nobody is online: 70 messages pile up in a waiting conversation.
  const visitor = await openVisitor(browser, server.base, t.tenant.site_key, { name: 'Pat Pending' });
  await visitor.sendMany(Array.from({ length: 70 }, (_, i) => `message number ${i + 1}`));

  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/agent`);
  await page.fill('input[name=email]', 'owner@initech.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  // Coming online routes the queue to this agent; the list shows what is unread.
  const item = page.locator('.lists .conv', { hasText: 'Pat Pending' });
  await item.locator('.badge.unread').waitFor();
  assert.ok(Number(await item.locator('.badge.unread').textContent()) >= 70);

  await item.click();
  await page.locator('.msg.in .body', { hasText: 'message number 70' }).waitFor();
  assert.equal(await page.locator('.msg.in .body', { hasText: /^message number 1$/ }).count(), 0);
  await item.locator('.badge.unread').waitFor({ state: 'detached' });
  // Scrolling to the top fetches the page before.
  await page.locator('.messages').evaluate((el) => (el.scrollTop = 0));
  await page.locator('.msg.in .body', { hasText: /^message number 1$/ }).waitFor();
  assert.equal(await page.locator('.msg.in').count(), 70);

  // Bob comes online in his own browser; the conversation is handed to him.
  const bobContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const bob = await bobContext.newPage();
  await bob.goto(`${server.base}/agent`);
  await bob.fill('input[name=email]', 'bob@initech.test');
  await bob.fill('input[name=password]', 'Bob-Password-12345');
  await bob.click('button[type=submit]');
  await bob.waitForSelector('.workspace');
  await bob.locator('.lists .conv', { hasText: 'Pat Pending' }).waitFor(); // in "Others"

  await page.locator('[data-list=mine] .conv', { hasText: 'Pat Pending' }).click();
  await page.click('.chat-actions button:has-text("Transfer")');
  const target = page.locator('dialog select[name=target]');
  await target.locator('option', { hasText: 'Bob Builder' }).waitFor({ state: 'attached' });
  const bobOption = await target.locator('option', { hasText: 'Bob Builder' }).getAttribute('value');
  await target.selectOption(bobOption);
  await page.fill('dialog textarea[name=note]', 'VIP, please be quick');
  await screenshot(page, 'agent-transfer');
  await page.click('dialog button[value=ok]');
  await page.locator('[data-list=others] .conv', { hasText: 'Pat Pending' }).waitFor();
  await bob.locator('[data-list=mine] .conv', { hasText: 'Pat Pending' }).click();
  await bob.locator('.msg.note .body', { hasText: 'VIP, please be quick' }).waitFor();
  // The first agent still has the conversation open: it follows what happens there now.
  await page.locator('.msg.note .body', { hasText: 'VIP, please be quick' }).waitFor();
  await bob.locator('.composer-input').fill('Bob here, I will sort this out.');
  await bob.locator('.composer-input').press('Enter');
  await page.locator('.msg .body', { hasText: 'Bob here, I will sort this out.' }).waitFor();

  // Bob blocks the visitor: the conversation closes and the visitor's socket is cut.
  await bob.click('.chat-actions button:has-text("Block")');
  await bob.fill('dialog input[name=reason]', 'Abusive');
  await bob.click('dialog button[value=ok]');
  await visitor.waitFor((f) => f.type === '__closed' && f.code === 4003);
  await bob.locator('.chat-head .pill.closed').waitFor();
  const blacklist = await server.api('GET', '/api/admin/blacklist', token);
  assert.ok(blacklist.items.some((b) => b.kind === 'visitor' && b.reason === 'Abusive'), JSON.stringify(blacklist));

  await visitor.close();
  await bobContext.close();
  await context.close();
});

test('after a dropped connection the workspace reconnects, replays what it missed and sends what was typed', async () => {
  const t = await server.tenant('Umbrella', 'owner@umbrella.test');
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/agent`);
  await page.fill('input[name=email]', 'owner@umbrella.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' });

  const visitor = await openVisitor(browser, server.base, t.tenant.site_key, { name: 'Rita Resume' });
  await visitor.send('first message');
  await page.locator('[data-list=mine] .conv', { hasText: 'Rita Resume' }).click();
  await page.locator('.msg.in .body', { hasText: 'first message' }).waitFor();

  // Drop the socket and hold the reconnect until the test lets it go.
  await page.evaluate(async () => {
    const { state } = await import('/assets/agent/state.js');
    const open = state.socket.urlFor;
    window.__release = null;
    const gate = new Promise((resolve) => (window.__release = resolve));
    state.socket.urlFor = async () => {
      await gate;
      return open();
    };
    state.socket.ws.close();
  });
  await page.locator('.conn', { hasText: 'Reconnecting' }).waitFor();

  await visitor.send('written while you were away');
  await page.fill('.composer-input', 'typed while offline');
  await page.press('.composer-input', 'Enter');
  await page.locator('.msg.pending .body', { hasText: 'typed while offline' }).waitFor();
  assert.equal(await page.locator('.msg.in .body', { hasText: 'written while you were away' }).count(), 0);

  await page.evaluate(() => window.__release());
  await page.locator('.msg.in .body', { hasText: 'written while you were away' }).waitFor();
  await page.locator('.msg.out:not(.pending) .body', { hasText: 'typed while offline' }).waitFor();
  await page.locator('.msg.pending').waitFor({ state: 'detached' });
  await visitor.waitFor((f) => f.type === 'message' && f.message.body === 'typed while offline');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' });
  // Each message once, in order.
  const bodies = await page.locator('.messages .msg .body').allTextContents();
  assert.equal(bodies.filter((b) => b === 'written while you were away').length, 1);
  assert.equal(bodies.filter((b) => b === 'typed while offline').length, 1);

  await visitor.close();
  await context.close();
});

test('a stale access token is refreshed, by one tab at a time, without ending the login', async () => {
  await server.tenant('Hooli', 'owner@hooli.test');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.base}/agent`);
  await page.fill('input[name=email]', 'owner@hooli.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' });
  const before = await page.evaluate(() => JSON.parse(localStorage.getItem('uniqchat.session')));

  // The access token goes bad (set from a page without the app, so nothing uses it meanwhile);
  // then two tabs open at once and both need a new one.
  await page.goto(`${server.base}/healthz`);
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem('uniqchat.session'));
    localStorage.setItem('uniqchat.session', JSON.stringify({ ...s, access_token: 'expired.token.value' }));
  });
  // Both tabs ask who they are with the bad token before the first refresh is answered, so both
  // want to refresh at the same moment.
  let meCalls = 0;
  let bothAsked;
  const gate = new Promise((resolve) => (bothAsked = resolve));
  let refreshes = 0;
  await context.route('**/api/auth/me', (route) => {
    if (++meCalls === 2) bothAsked();
    route.continue();
  });
  await context.route('**/api/auth/refresh', async (route) => {
    refreshes += 1;
    await gate;
    route.continue();
  });
  const tabs = [page, await context.newPage()];
  await Promise.all(tabs.map((p) => p.goto(`${server.base}/agent`)));
  for (const p of tabs) await p.waitForSelector('.workspace .conn[hidden]', { state: 'attached' });
  assert.equal(refreshes, 1, 'one tab refreshed, the other used its result');
  await context.unrouteAll();

  const after = await page.evaluate(() => JSON.parse(localStorage.getItem('uniqchat.session')));
  assert.notEqual(after.refresh_token, before.refresh_token);
  // The pair in storage still works: the login was not revoked as a reused refresh token.
  const me = await server.api('GET', '/api/auth/me', after.access_token);
  assert.equal(me.user.email, 'owner@hooli.test');
  const r = await fetch(`${server.base}/api/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: after.refresh_token }),
  });
  assert.equal(r.status, 200);
  await context.close();
});
