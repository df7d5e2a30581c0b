// The admin console's Bots page in a real browser: turning the chain on, the model settings with
// a write-only key, a field error, a knowledge-base entry — and a visitor answered from it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';
import { openVisitor } from './visitor-client.mjs';
import { createServer } from 'node:http';

let server;
let browser;
let owner;
shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  owner = await server.tenant('Initech', 'owner@initech.test');
});

test('the owner sets up the bots and the knowledge base; a visitor is answered by it', async () => {
  const context = await browser.newContext({ viewport: { width: 1360, height: 1400 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.base}/admin`);
  await page.fill('input[name=email]', 'owner@initech.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.click('nav a[href="#bots"]');
  const form = page.locator('form.bot-settings');
  await form.waitFor();

  // The model in the chain without a URL: the error lands by the field, nothing is saved.
  await form.locator('input[name=enabled]').check();
  await form.locator('select[name=chain]').selectOption('knowledge,model');
  await form.locator('button[type=submit]').click();
  const urlError = form.locator('.field[data-field=model] .field-error');
  await urlError.filter({ hasText: /./ }).waitFor();
  const token = await server.login('owner@initech.test');
  assert.equal((await server.api('GET', '/api/admin/bots', token)).enabled, false);

  // Knowledge base only, with a model key stored for later.
  await form.locator('select[name=chain]').selectOption('knowledge');
  await form.locator('input[name=display_name]').fill('Initech helper');
  await form.locator('input[name=base_url]').fill('http://127.0.0.1:11434/v1');
  await form.locator('input[name=model]').fill('qwen2.5:3b');
  await form.locator('input[name=model_key]').fill('sk-secret');
  await form.locator('input[name=hybrid]').check();
  await form.locator('button[type=submit]').click();
  await page.locator('form.bot-settings .form-note', { hasText: 'Saved.' }).waitFor();
  const saved = await server.api('GET', '/api/admin/bots', token);
  assert.equal(saved.enabled, true);
  assert.deepEqual(saved.config.chain, ['knowledge']);
  assert.equal(saved.config.display_name, 'Initech helper');
  assert.equal(saved.model_key_set, true);
  assert.equal(saved.config.hybrid, true, 'hybrid mode set from the form');
  assert.ok(!JSON.stringify(saved).includes('sk-secret'));
  assert.match(await page.locator('form.bot-settings input[name=model_key]').getAttribute('placeholder'), /stored/);

  // An entry, in two ways of asking.
  const entry = page.locator('form.kb-entry').last();
  await entry.locator('textarea[name=questions]').fill('How do I reset my password?\n忘记密码');
  await entry.locator('textarea[name=answer]').fill('Use the “Forgot password” link on the sign-in page.');
  await entry.locator('input[name=tags]').fill('account');
  await entry.locator('button[type=submit]').click();
  await page.locator('.kb-entries td', { hasText: '忘记密码' }).waitFor();

  // A visitor asks; the bot answers from the entry.
  const visitor = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Peter' });
  await visitor.send('I forgot my password, how do I reset it?');
  const answer = await visitor.waitFor((f) => f.type === 'message' && f.message.sender_id === 'bot:knowledge');
  assert.equal(answer.message.body, 'Use the “Forgot password” link on the sign-in page.');
  assert.equal(answer.message.sender_name, 'Initech helper');

  await page.click('nav a[href="#overview"]');
  await page.click('nav a[href="#bots"]');
  await page.locator('.kb-entries td', { hasText: '忘记密码' }).waitFor();
  await screenshot(page, 'admin-bots');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('in the widget the bot answers, and "Talk to a person" hands the conversation over', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${server.base}/demo?key=${owner.tenant.site_key}`);
  await page.locator('.launcher').click();
  await page.locator('.window').waitFor();
  const human = page.locator('button.human');
  assert.equal(await human.isVisible(), false, 'no conversation yet');
  await page.locator('textarea').fill('How can I reset my password?');
  await page.keyboard.press('Enter');
  await page.locator('.row.other .bubble', { hasText: 'Forgot password' }).waitFor();
  await human.waitFor({ state: 'visible' });
  await screenshot(page, 'widget-bot-answer');
  await human.click();
  await page.locator('.row .bubble', { hasText: 'Let me connect you with a person' }).waitFor();
  await human.waitFor({ state: 'hidden' });
  const token = await server.login('owner@initech.test');
  const queue = await server.api('GET', '/api/agent/conversations?view=queue', token);
  assert.equal(queue.items.length, 1, JSON.stringify(queue));
  assert.equal(queue.items[0].state, 'waiting');
  await context.close();
});

test('an agent asks for a suggested reply and gets the model’s draft in the composer, unsent', async () => {
  // An OpenAI-compatible model on 127.0.0.1 that answers every request the same way.
  const { createServer } = await import('node:http');
  const model = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        choices: [{ index: 0, message: { role: 'assistant', content: 'Your parcel left our warehouse today.' } }],
        usage: { total_tokens: 21 },
      }));
    });
  });
  await new Promise((r) => model.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${model.address().port}/v1`;
  const token = await server.login('owner@initech.test');
  // The chain off (conversations go to people), the model set up for suggestions.
  await server.api('PUT', '/api/admin/bots', token, {
    enabled: false,
    config: { chain: ['model'], model: { base_url: base, model: 'any', stream: false } },
  });

  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/agent`);
  await page.fill('input[name=email]', 'owner@initech.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.workspace');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' });

  const visitor = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Sam Sender' });
  await visitor.send('Where is my parcel?');
  const mine = page.locator('[data-list=mine] .conv', { hasText: 'Sam Sender' });
  await mine.waitFor();
  await mine.click();
  await page.locator('.messages .msg.in .body', { hasText: 'Where is my parcel?' }).waitFor();
  await page.click('.composer button.suggest');
  await page.waitForFunction(() => document.querySelector('.composer-input')?.value === 'Your parcel left our warehouse today.');
  await screenshot(page, 'agent-suggested-reply');
  // Nothing was sent: the visitor received no such message.
  const frames = await visitor.page.evaluate(() => window.__visitor.frames);
  assert.ok(!frames.some((f) => f.type === 'message' && /warehouse/.test(f.message.body)));
  await context.close();
  model.close();
});

test('hybrid mode: the model’s draft waits in the composer; the agent edits and approves it', async () => {
  const model = createModel('We open at nine every weekday.');
  await new Promise((r) => model.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${model.address().port}/v1`;
  const token = await server.login('owner@initech.test');
  await server.api('PUT', '/api/admin/bots', token, {
    enabled: false,
    config: { chain: [], hybrid: true, model: { base_url: base, model: 'any', stream: false } },
  });

  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.base}/agent`);
  await page.fill('input[name=email]', 'owner@initech.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.workspace');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' });

  const visitor = await openVisitor(browser, server.base, owner.tenant.site_key, { name: 'Hana Hybrid' });
  await visitor.send('Hi there');
  const mine = page.locator('[data-list=mine] .conv', { hasText: 'Hana Hybrid' });
  await mine.waitFor();
  await mine.click();
  await page.locator('.messages .msg.in .body', { hasText: 'Hi there' }).waitFor();
  // Now held by the agent: the next question gets a draft, shown above the composer.
  await visitor.send('When do you open?');
  const draft = page.locator('.model-draft');
  await draft.waitFor({ state: 'visible' });
  assert.equal(await draft.locator('textarea').inputValue(), 'We open at nine every weekday.');
  let frames = await visitor.page.evaluate(() => window.__visitor.frames);
  assert.ok(!frames.some((f) => f.type === 'message' && /nine/.test(f.message.body)), 'nothing sent before approval');
  await draft.locator('textarea').fill('We open at nine every weekday, Hana.');
  await screenshot(page, 'agent-hybrid-draft');
  await draft.locator('button.approve').click();
  await page.locator('.messages .body', { hasText: 'We open at nine every weekday, Hana.' }).waitFor();
  await draft.waitFor({ state: 'hidden' });
  await visitor.waitFor((f) => f.type === 'message' && f.message.body === 'We open at nine every weekday, Hana.');
  frames = await visitor.page.evaluate(() => window.__visitor.frames);
  const sent = frames.filter((f) => f.type === 'message' && /nine/.test(f.message.body));
  assert.equal(sent.length, 1);
  assert.equal(sent[0].message.sender_kind, 'agent');
  // The assists: summary and translation, shown to the agent only.
  const sentBefore = frames.filter((f) => f.type === 'message').length;
  await page.click('.composer button.summarise');
  await page.locator('.assist .assist-text', { hasText: 'We open at nine every weekday.' }).waitFor();
  assert.match(model.lastBody, /Summarise/);
  assert.match(model.lastBody, /When do you open\?/);
  await page.click('.composer button.translate');
  await page.waitForFunction(() => /translated/.test(document.querySelector('.assist .assist-title')?.textContent ?? ''));
  assert.match(model.lastBody, /Translate the user's text into/);
  assert.match(model.lastBody, /When do you open\?/);
  await screenshot(page, 'agent-hybrid-approved');
  frames = await visitor.page.evaluate(() => window.__visitor.frames);
  assert.equal(frames.filter((f) => f.type === 'message').length, sentBefore, 'the assists send nothing');
  assert.deepEqual(pageErrors, []);
  await context.close();
  model.close();
});

/** An OpenAI-compatible model on 127.0.0.1 that answers every request with `text`. */
function createModel(text) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      server.lastBody = body;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        choices: [{ index: 0, message: { role: 'assistant', content: text } }],
        usage: { total_tokens: 9 },
      }));
    });
  });
  return server;
}
