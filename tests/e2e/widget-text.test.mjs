// Rich text, emoji, the typing preview, the pre-chat form and the widget's texts per language,
// in a real browser: the shared renderer on hostile input, the widget (Chinese and English
// browsers) and the agent's workspace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';

let server;
let browser;
let shop;
let owner;

shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  shop = await server.tenant('Text Shop', 'owner@text.test');
  owner = await server.login('owner@text.test');
});

test('the renderer builds safe links and a small formatting subset, never markup from input', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/healthz`);
  const out = await page.evaluate(async () => {
    const { renderRich } = await import('/assets/shared/richtext.js');
    const render = (text) => {
      const div = document.createElement('div');
      div.append(renderRich(text));
      return div;
    };
    const shape = (div) => ({
      html: div.innerHTML,
      text: div.textContent,
      tags: [...div.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()),
      links: [...div.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href'), rel: a.rel, target: a.target, text: a.textContent })),
    });
    const cases = {
      img: '<img src=x onerror="window.pwned=1">',
      script: '<script>window.pwned=1</script>',
      js: 'javascript:window.pwned=1',
      mdjs: '[click](javascript:window.pwned=1)',
      data: 'data:text/html,<b>x</b>',
      http: 'See https://example.com/a?b=1&c=2. Or (https://example.org/x_(y)).',
      mail: 'Write to mailto:help@example.com!',
      bold: 'This is **important** and *this* too, and `code **stays**`',
      nested: '**bold *not italic* bold**',
      stars: '2 * 3 * 4 and **not closed',
      lines: 'one\ntwo\r\nthree',
      inurl: 'https://example.com/*a*/**b**',
      trick: '**https://evil.example/x" onclick="a**',
    };
    return Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, shape(render(v))]));
  });
  const pwned = await page.evaluate(() => window.pwned);
  assert.equal(pwned, undefined);
  for (const k of ['img', 'script', 'js', 'mdjs', 'data']) {
    assert.deepEqual(out[k].tags, [], `${k} stays text: ${out[k].html}`);
  }
  assert.equal(out.img.text, '<img src=x onerror="window.pwned=1">');
  assert.deepEqual(out.http.links, [
    { href: 'https://example.com/a?b=1&c=2', rel: 'noopener noreferrer nofollow', target: '_blank', text: 'https://example.com/a?b=1&c=2' },
    { href: 'https://example.org/x_(y)', rel: 'noopener noreferrer nofollow', target: '_blank', text: 'https://example.org/x_(y)' },
  ]);
  assert.equal(out.http.text, 'See https://example.com/a?b=1&c=2. Or (https://example.org/x_(y)).');
  assert.deepEqual(out.mail.links.map((l) => l.href), ['mailto:help@example.com']);
  assert.deepEqual(out.bold.tags, ['strong', 'em', 'code']);
  assert.equal(out.bold.text, 'This is important and this too, and code **stays**');
  assert.deepEqual(out.nested.tags, ['strong']);
  assert.equal(out.nested.text, 'bold *not italic* bold');
  assert.deepEqual(out.stars.tags, []);
  assert.deepEqual(out.lines.tags, ['br', 'br']);
  assert.equal(out.lines.text, 'onetwothree');
  assert.deepEqual(out.inurl.tags, ['a']);
  assert.equal(out.inurl.links[0].text, 'https://example.com/*a*/**b**');
  assert.deepEqual(out.trick.tags, ['strong', 'a']);
  assert.equal(out.trick.links[0].href, 'https://evil.example/x');
  await page.close();
});

async function signInAgent() {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/agent`);
  await page.fill('input[name=email]', 'owner@text.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.workspace');
  await page.waitForSelector('.conn[hidden]', { state: 'attached' });
  return { context, page };
}

test('pre-chat form, Chinese texts, typing preview, emoji and rich messages between widget and workspace', async () => {
  await server.api('PATCH', '/api/admin/settings', owner, {
    welcome_message: 'Hello from the default text',
    typing_preview: true,
    prechat: {
      enabled: true, name: 'required', email: 'optional',
      fields: [{ key: 'topic', label: 'Topic', type: 'select', options: ['Billing', 'Shipping'], required: true }],
    },
    default_language: 'en',
    languages: {
      en: { welcome_message: 'Welcome! How can we help?', offline_message: 'We are away, leave us a note', prechat_title: 'Tell us about you' },
      zh: { welcome_message: '欢迎！请问有什么可以帮您？', prechat_title: '请先介绍一下您', name_label: '您的姓名', submit_label: '开始咨询', field_labels: { topic: '咨询类型' } },
    },
  });
  const errors = [];
  const agent = await signInAgent();
  agent.page.on('pageerror', (e) => errors.push(e.message));

  const visitorContext = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
  const visitor = await visitorContext.newPage();
  visitor.on('pageerror', (e) => errors.push(e.message));
  await visitor.goto(`${server.base}/demo?key=${shop.tenant.site_key}`);
  await visitor.locator('.launcher').click();

  // The Chinese welcome and the pre-chat form in Chinese; no composer until it is sent.
  await visitor.locator('.row.system .bubble', { hasText: '欢迎！请问有什么可以帮您？' }).waitFor();
  const form = visitor.locator('form.prechat');
  await form.waitFor();
  assert.match(await form.textContent(), /请先介绍一下您/);
  assert.match(await form.textContent(), /您的姓名/);
  assert.match(await form.textContent(), /咨询类型/);
  assert.equal(await visitor.locator('form.composer').isVisible(), false, 'no composer before the form');
  assert.equal(await visitor.locator('.preview-notice').textContent(), '客服可以在您发送之前看到您正在输入的内容。');
  await screenshot(visitor, 'widget-text-prechat-zh');

  // Sent without the required choice: the server's field error, still no composer.
  await form.locator('input[name=name]').fill('李雷');
  await form.locator('select').evaluate((s) => s.removeAttribute('required'));
  await form.locator('button[type=submit]').click();
  await visitor.locator('.field-error', { hasText: 'is required' }).waitFor();
  assert.equal(await visitor.locator('form.composer').isVisible(), false);

  await form.locator('select').selectOption('Shipping');
  await form.locator('button[type=submit]').click();
  await visitor.locator('form.composer').waitFor();

  // Emoji picker in the widget.
  await visitor.locator('form.composer .emoji-toggle').click();
  await visitor.locator('.emoji-panel .emoji', { hasText: '😀' }).waitFor();
  await screenshot(visitor, 'widget-text-emoji');
  await visitor.locator('.emoji-panel .emoji', { hasText: '😀' }).click();
  assert.equal(await visitor.locator('form.composer textarea').inputValue(), '😀');
  await visitor.locator('form.composer textarea').fill('Parcel **late**, see https://track.example/p?id=7 and `AB-12` <img src=x onerror=alert(1)>');
  await visitor.keyboard.press('Enter');

  const conv = agent.page.locator('[data-list=mine] .conv');
  await conv.first().waitFor();
  await conv.first().click();
  const body = agent.page.locator('.messages .msg.in .body', { hasText: 'Parcel' });
  await body.waitFor();
  assert.equal(await body.locator('strong').textContent(), 'late');
  assert.equal(await body.locator('code').textContent(), 'AB-12');
  const link = body.locator('a');
  assert.equal(await link.getAttribute('href'), 'https://track.example/p?id=7');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.equal(await body.locator('img').count(), 0, 'markup in a message stays text');
  assert.match(await body.textContent(), /<img src=x onerror=alert\(1\)>/);
  // The widget renders its own copy the same way.
  await visitor.locator('.row.own .bubble strong', { hasText: 'late' }).waitFor();

  // The pre-chat answers are in the visitor's details.
  const details = agent.page.locator('.details');
  await details.locator('dd', { hasText: 'Shipping' }).waitFor();
  assert.match(await details.textContent(), /李雷/);

  // Typing preview: the agent sees the draft under the conversation.
  await visitor.locator('form.composer textarea').pressSequentially('Where is my parcel');
  await agent.page.locator('.typing-preview', { hasText: 'Where is my parcel' }).waitFor();
  await screenshot(agent.page, 'widget-text-agent-preview');

  // Emoji in the workspace, and a formatted answer back to the widget.
  await agent.page.locator('.composer .emoji-toggle').click();
  await agent.page.locator('.composer .emoji-tab[aria-label=People]').click();
  await agent.page.locator('.composer .emoji-panel .emoji', { hasText: '👍' }).click();
  assert.equal(await agent.page.locator('.composer-input').inputValue(), '👍');
  await agent.page.locator('.composer-input').fill('👍 It ships *today*: https://track.example/p?id=7');
  await agent.page.keyboard.press('Enter');
  const answer = visitor.locator('.row.other .bubble', { hasText: 'It ships' });
  await answer.waitFor();
  assert.equal(await answer.locator('em').textContent(), 'today');
  assert.equal(await answer.locator('a').getAttribute('rel'), 'noopener noreferrer nofollow');
  await screenshot(visitor, 'widget-text-widget-zh');

  assert.deepEqual(errors, []);
  await visitorContext.close();
  await agent.context.close();
});

test('with nobody online, an English browser gets the English welcome and offline text; a language not enabled gets the default', async () => {
  for (const [locale, text] of [['en-GB', 'Welcome! How can we help?'], ['de-DE', 'Welcome! How can we help?']]) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    await page.goto(`${server.base}/demo?key=${shop.tenant.site_key}`);
    await page.locator('.launcher').click();
    await page.locator('.row.system .bubble', { hasText: text }).waitFor();
    // No agent is signed in now: the offline form (in the visitor's language) instead of the pre-chat form.
    await page.locator('.panel p', { hasText: 'We are away, leave us a note' }).waitFor();
    assert.equal(await page.locator('form.prechat').count(), 0);
    assert.equal(await page.locator('.preview-notice').textContent(), 'The agent can see what you type before you send it.');
    if (locale === 'en-GB') await screenshot(page, 'widget-text-prechat-en');
    await context.close();
  }
});

test('the admin console edits the typing preview, the pre-chat fields and the texts per language', async () => {
  const context = await browser.newContext({ viewport: { width: 1360, height: 1400 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.base}/admin`);
  await page.fill('input[name=email]', 'owner@text.test');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.click('nav a[href="#settings"]');
  const form = page.locator('form.settings-form');
  const typing = form.locator('input[aria-label="Typing preview"]');
  assert.equal(await typing.isChecked(), true, 'shows the saved setting');
  const codes = form.locator('input[aria-label=Languages]');
  assert.equal(await codes.inputValue(), 'en, zh');

  // A bad language code: the server's error next to the field, nothing saved.
  await codes.fill('en, zh, english');
  await codes.dispatchEvent('change');
  await form.locator('button[type=submit]').click();
  await form.locator('.field[data-field=languages] .field-error', { hasText: 'english' }).waitFor();

  await codes.fill('en, zh, fr');
  await codes.dispatchEvent('change');
  await form.locator('details[data-lang=fr] summary').click(); // closed with more than two languages
  await form.locator('details[data-lang=fr] textarea[data-text=welcome_message]').fill('Bonjour ! Comment pouvons-nous aider ?');
  await form.locator('button', { hasText: 'Add a field' }).click();
  await form.locator('.prechat-field').nth(1).locator('input[aria-label=Key]').fill('order_no');
  await form.locator('.prechat-field').nth(1).locator('input[aria-label=Label]').fill('Order number');
  await typing.uncheck();
  await form.locator('button[type=submit]').click();
  await page.locator('.saved', { hasText: 'Saved' }).waitFor();
  await screenshot(page, 'widget-text-admin');

  const s = await server.api('GET', '/api/admin/settings', owner);
  assert.equal(s.typing_preview, false);
  assert.deepEqual(Object.keys(s.languages).sort(), ['en', 'fr', 'zh']);
  assert.equal(s.languages.fr.welcome_message, 'Bonjour ! Comment pouvons-nous aider ?');
  assert.equal(s.languages.zh.field_labels.topic, '咨询类型', 'other languages kept');
  assert.deepEqual(s.prechat.fields.map((f) => f.key), ['topic', 'order_no']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a first message the server holds back for the pre-chat answers brings the form up and goes once it is answered', async () => {
  // The form is off when the page loads, so the widget shows the composer at once; it is
  // turned on before the visitor writes (another tab of the same visitor sent nothing either).
  await server.api('PATCH', '/api/admin/settings', owner, { prechat: { enabled: false } });
  const agent = await signInAgent(); // someone online: the widget offers the composer, not the offline form
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const live = async () => (await server.api('GET', '/api/agent/live-visitors', owner)).map((v) => v.visitor_id);
  const before = await live();
  await page.goto(`${server.base}/demo?key=${shop.tenant.site_key}`);
  await page.locator('.launcher').click();
  await page.locator('form.composer').waitFor();
  // The composer shows before the session is in; the widget applies the session, then opens
  // its socket: once the server lists the visitor as live, the page holds the form-off session.
  for (let i = 0; i < 100 && (await live()).every((id) => before.includes(id)); i += 1) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok((await live()).some((id) => !before.includes(id)), 'the widget is connected');
  await server.api('PATCH', '/api/admin/settings', owner, {
    prechat: { enabled: true, name: 'required', email: 'off', fields: [] },
  });

  await page.locator('form.composer textarea').fill('Held back until I say who I am');
  await page.keyboard.press('Enter');
  const form = page.locator('form.prechat');
  await form.waitFor();
  assert.equal(await page.locator('form.composer').isVisible(), false, 'the form replaces the composer');
  await screenshot(page, 'widget-text-prechat-required');
  const queued = async () => {
    const q = await server.api('GET', '/api/agent/conversations?view=all', owner);
    return q.items.filter((c) => c.last_message?.body === 'Held back until I say who I am');
  };
  assert.equal((await queued()).length, 0, 'nothing stored before the answers');

  await form.locator('input[name=name]').fill('Grace');
  await form.locator('button[type=submit]').click();
  await page.locator('form.composer').waitFor();
  let found = [];
  for (let i = 0; i < 50 && found.length === 0; i += 1) {
    found = await queued();
    if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(found.length, 1, 'the held message went once the form was answered');
  assert.equal(found[0].visitor.name, 'Grace');
  assert.deepEqual(errors, []);
  await context.close();
  await agent.context.close();
});
