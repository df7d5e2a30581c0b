// The widget's live behaviour in a real browser: losing the connection and catching up, the
// queue position, typing both ways, the unread badge and read state, the sound and its mute,
// and the Chinese texts. Every test has its own tenant, so queues and agents never mix.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot } from './harness.mjs';
import { connectAgent } from './agent-ws.mjs';

let server;
let browser;

shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
});

let tenants = 0;
/** A tenant whose owner is connected as an agent. */
async function shopWithAgent() {
  tenants += 1;
  const email = `owner${tenants}@live.example`;
  const shop = await server.tenant(`Live Shop ${tenants}`, email);
  const token = await server.login(email);
  const agent = await connectAgent(browser, server.base, token);
  return { siteKey: shop.tenant.site_key, token, agent };
}

// Runs in the page before the widget: keeps every WebSocket the page opens, can send new
// visitor connections to a closed port (the network "drops"), and counts the beeps played.
function instrumentPage() {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__dropped = false;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      const target = window.__dropped && String(url).includes('/ws/visitor') ? 'ws://127.0.0.1:9/' : url;
      super(target, protocols);
      window.__sockets.push(this);
    }
  };
  window.__beeps = 0;
  window.AudioContext = class {
    constructor() { this.currentTime = 0; this.destination = {}; }
    createOscillator() {
      return {
        frequency: { setValueAtTime() {} },
        connect: (g) => g,
        start: () => { window.__beeps += 1; },
        stop() {},
      };
    }
    createGain() {
      return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (d) => d };
    }
  };
}

async function visitor(siteKey, { locale = 'en-US' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  const page = await context.newPage();
  await page.addInitScript(instrumentPage);
  await page.goto(`${server.base}/demo?key=${siteKey}`);
  await page.locator('.launcher').waitFor();
  return { page, context };
}

const otherBubbles = (page) => page.locator('.row.other .bubble');
const isFrame = (type, extra = '') => new Function('f', `return f.type === ${JSON.stringify(type)}${extra}`);
const messageFrame = (body) => isFrame('message', ` && f.message.body === ${JSON.stringify(body)}`);
const agentFrames = (agent) => agent.page.evaluate(() => window.__agent.frames);

let replies = 0;
const say = (agent, conversationId, body) => {
  replies += 1;
  return agent.send({ type: 'send', conversation_id: conversationId, client_msg_id: `live-${replies}`, body });
};

/** The visitor opens the widget and writes; returns the conversation id the agent sees. */
async function startConversation(page, agent, body) {
  await page.locator('.launcher').click();
  await page.locator('textarea').fill(body);
  await page.keyboard.press('Enter');
  const f = await agent.waitFor(messageFrame(body));
  return f.message.conversation_id;
}

test('after the connection drops the widget reconnects, catches up in order and sends what was written meanwhile, each once', async () => {
  const { siteKey, agent } = await shopWithAgent();
  const { page, context } = await visitor(siteKey);
  const id = await startConversation(page, agent, 'Is my parcel on its way?');
  await say(agent, id, 'Let me check.');
  await otherBubbles(page).filter({ hasText: 'Let me check.' }).waitFor();

  await page.evaluate(() => {
    window.__dropped = true;
    window.__sockets.filter((s) => s.url.includes('/ws/visitor')).forEach((s) => s.close());
  });
  await page.getByText('Reconnecting…').waitFor();
  const missed = ['It left the warehouse today.', 'Tracking: NW-123.', 'Anything else?'];
  for (const body of missed) await say(agent, id, body);
  await page.locator('textarea').fill('Written while offline');
  await page.keyboard.press('Enter');
  await page.locator('.row.own.pending', { hasText: 'Written while offline' }).waitFor();
  // At least one reconnection attempt failed before the network comes back.
  await page.waitForFunction(() => window.__sockets.some((s) => s.url.startsWith('ws://127.0.0.1:9/') && s.readyState === 3));
  await page.evaluate(() => { window.__dropped = false; });

  await otherBubbles(page).filter({ hasText: 'Anything else?' }).waitFor({ timeout: 15_000 });
  await page.locator('.row.own:not(.pending)', { hasText: 'Written while offline' }).waitFor();
  await agent.waitFor(messageFrame('Written while offline'));
  assert.deepEqual(await otherBubbles(page).allTextContents(), ['Let me check.', ...missed]);
  const seqs = await page.locator('.row[data-seq]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.seq)));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'rows in stored order');
  assert.equal(new Set(seqs).size, seqs.length, 'no row twice');
  assert.equal(await page.getByText('Reconnecting…').count(), 0);
  // The send retried after reconnecting was stored once.
  const frames = await agentFrames(agent);
  assert.equal(frames.filter((f) => f.type === 'message' && f.message.body === 'Written while offline').length, 1);
  await context.close();
  await agent.close();
});

test('while every agent is busy the visitor sees their place in the queue, and it clears when an agent takes them', async () => {
  const { siteKey, token, agent } = await shopWithAgent();
  await agent.send({ type: 'status', id: 's1', status: 'busy' });
  await agent.waitFor(isFrame('status', " && f.status === 'busy'"));

  const first = await visitor(siteKey);
  await startConversation(first.page, agent, 'First in line');
  await first.page.getByText('You are number 1 in the queue').waitFor();
  const second = await visitor(siteKey);
  await startConversation(second.page, agent, 'Second in line');
  await second.page.getByText('You are number 2 in the queue').waitFor();
  await screenshot(second.page, 'widget-queue');

  // Back online: the queue is routed oldest first and the positions disappear.
  await agent.send({ type: 'status', id: 's2', status: 'online' });
  await first.page.getByText(/in the queue/).waitFor({ state: 'detached' });
  await second.page.getByText(/in the queue/).waitFor({ state: 'detached' });
  const mine = await server.api('GET', '/api/agent/conversations?view=mine', token);
  assert.equal(mine.items.length, 2);
  await first.context.close();
  await second.context.close();
  await agent.close();
});

test('typing shows both ways and stops on send', async () => {
  const { siteKey, agent } = await shopWithAgent();
  const { page, context } = await visitor(siteKey);
  const id = await startConversation(page, agent, 'Hello there');

  await page.locator('textarea').pressSequentially('I have a qu');
  await agent.waitFor(isFrame('typing', ` && f.from === 'visitor' && f.on === true && f.conversation_id === ${JSON.stringify(id)}`));
  await page.keyboard.press('Enter');
  await agent.waitFor(isFrame('typing', " && f.from === 'visitor' && f.on === false"));

  const indicator = page.locator('.typing');
  assert.equal(await indicator.isHidden(), true);
  await agent.send({ type: 'typing', conversation_id: id, on: true });
  await indicator.getByText('Agent is typing…').waitFor();
  await agent.send({ type: 'typing', conversation_id: id, on: false });
  await indicator.waitFor({ state: 'hidden' });
  await agent.send({ type: 'typing', conversation_id: id, on: true });
  await indicator.waitFor();
  await say(agent, id, 'Sure, go ahead');
  await indicator.waitFor({ state: 'hidden' });
  await context.close();
  await agent.close();
});

test('messages that arrive while the widget is closed count on the badge; opening it reads them', async () => {
  const { siteKey, agent } = await shopWithAgent();
  const { page, context } = await visitor(siteKey);
  const id = await startConversation(page, agent, 'Ping me when it ships');
  await page.locator('button.close').click();
  await page.locator('.window').waitFor({ state: 'hidden' });

  const badge = page.locator('.badge');
  assert.equal(await badge.isHidden(), true);
  await say(agent, id, 'Shipped!');
  await say(agent, id, 'Arrives Tuesday.');
  await page.waitForFunction(() => document.querySelector('[data-uniqchat]').shadowRoot.querySelector('.badge').textContent === '2');
  assert.equal(await badge.isVisible(), true);
  assert.equal(await page.locator('.launcher').getAttribute('aria-label'), 'Open chat (2)');
  await screenshot(page, 'widget-unread');

  const lastSeq = (await agent.waitFor(messageFrame('Arrives Tuesday.'))).message.seq;
  await page.locator('.launcher').click();
  await badge.waitFor({ state: 'hidden' });
  assert.equal(await page.locator('.launcher').getAttribute('aria-label'), 'Open chat');
  const read = await agent.waitFor(isFrame('read', ` && f.seq === ${lastSeq}`));
  assert.equal(read.conversation_id, id);

  // After a reload the history is shown again but was read already: no badge, no sound.
  await page.reload();
  await page.locator('.row.other .bubble', { hasText: 'Arrives Tuesday.' }).waitFor({ state: 'attached' });
  await say(agent, id, 'Out for delivery.');
  await page.locator('.row.other .bubble', { hasText: 'Out for delivery.' }).waitFor({ state: 'attached' });
  assert.equal(await badge.textContent(), '1');
  assert.equal(await page.evaluate(() => window.__beeps), 1);
  await context.close();
  await agent.close();
});

test('a new message beeps unless muted, and the mute survives a reload', async () => {
  const { siteKey, agent } = await shopWithAgent();
  const { page, context } = await visitor(siteKey);
  const id = await startConversation(page, agent, 'Sound check');
  await say(agent, id, 'One');
  await otherBubbles(page).filter({ hasText: 'One' }).waitFor();
  assert.equal(await page.evaluate(() => window.__beeps), 1);

  const mute = page.locator('button.mute');
  assert.equal(await mute.getAttribute('aria-pressed'), 'false');
  await mute.click();
  assert.equal(await mute.getAttribute('aria-pressed'), 'true');
  assert.equal(await mute.getAttribute('aria-label'), 'Turn sounds on');
  await say(agent, id, 'Two');
  await otherBubbles(page).filter({ hasText: 'Two' }).waitFor();
  assert.equal(await page.evaluate(() => window.__beeps), 1);

  await page.reload();
  await page.locator('.launcher').click();
  await otherBubbles(page).filter({ hasText: 'Two' }).waitFor();
  assert.equal(await mute.getAttribute('aria-pressed'), 'true');
  await say(agent, id, 'Three');
  await otherBubbles(page).filter({ hasText: 'Three' }).waitFor();
  assert.equal(await page.evaluate(() => window.__beeps), 0);
  await context.close();
  await agent.close();
});

test('a browser in Chinese gets the widget in Simplified Chinese', async () => {
  const quiet = await server.tenant('安静的茶店', 'owner@zh.example');
  const { page, context } = await visitor(quiet.tenant.site_key, { locale: 'zh-CN' });
  assert.equal(await page.locator('.launcher').getAttribute('aria-label'), '打开聊天');
  await page.locator('.launcher').click();
  await page.getByRole('heading', { name: '我们暂时离线' }).waitFor();
  await page.getByRole('button', { name: '提交留言' }).waitFor();
  assert.equal(await page.locator('button.close').getAttribute('aria-label'), '关闭聊天');
  assert.equal(await page.locator('form.composer textarea').getAttribute('placeholder'), '输入消息…');
  await screenshot(page, 'widget-zh');
  await context.close();
});

test('the widget works from the keyboard and names its parts for a screen reader', async () => {
  const { siteKey, agent } = await shopWithAgent();
  const { page, context } = await visitor(siteKey);
  const launcher = page.getByRole('button', { name: 'Open chat' });
  await launcher.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Live Shop ${tenants}` });
  await dialog.waitFor();
  assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
  // Focus lands in the message box: type and send without the mouse.
  await page.keyboard.type('Typed, not clicked');
  await page.keyboard.press('Enter');
  await agent.waitFor(messageFrame('Typed, not clicked'));
  const log = page.getByRole('log', { name: 'Messages' });
  assert.equal(await log.getAttribute('aria-live'), 'polite');
  await log.getByText('Typed, not clicked').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Mute sounds' }).isVisible());
  assert.ok(await page.getByRole('button', { name: 'Close chat' }).isVisible());

  // Escape closes and gives the focus back to the launcher.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.querySelector('[data-uniqchat]').shadowRoot.activeElement?.className), 'launcher');
  await context.close();
  await agent.close();
});
