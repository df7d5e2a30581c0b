// Files and images in a real browser: the visitor attaches by the file picker and by pasting a
// screenshot in the widget, the agent by the picker and by paste in the workspace; each image
// shows inline on the other side (and opens large in a lightbox), a PDF as a card with its
// name, size and a download link.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { shareServerAndBrowser, screenshot, PASSWORD } from './harness.mjs';

let server;
let browser;
let shop;

shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
  shop = await server.tenant('Files Shop', 'owner@files.test');
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A w×h RGB PNG filled with stripes of `rgb`. */
function png(w, h, rgb) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) {
      const light = ((x >> 4) + (y >> 4)) % 2 ? 1 : 0.6;
      row[1 + x * 3] = rgb[0] * light;
      row[2 + x * 3] = rgb[1] * light;
      row[3 + x * 3] = rgb[2] * light;
    }
    rows.push(row);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** Pastes a PNG (base64) into the element `selector` of `page`, as a screenshot paste does. */
async function pasteImage(page, selector, name, bytes) {
  await page.locator(selector).evaluate((el, [name, b64]) => {
    const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([raw], name, { type: 'image/png' }));
    el.focus();
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, [name, bytes.toString('base64')]);
}

/** Waits until `count` images matching `selector` have loaded (naturalWidth > 0). */
async function loadedImages(page, selector, count) {
  await page.waitForFunction(([sel, n]) => {
    const found = [];
    const walk = (root) => {
      found.push(...root.querySelectorAll(sel));
      for (const host of root.querySelectorAll('*')) if (host.shadowRoot) walk(host.shadowRoot);
    };
    walk(document);
    return found.filter((img) => img.complete && img.naturalWidth > 0).length >= n;
  }, [selector, count], { timeout: 15_000 });
}

test('visitor and agent attach images by picker and by paste, and a PDF; each shows on the other side', async () => {
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const agent = await agentContext.newPage();
  const errors = [];
  agent.on('pageerror', (e) => errors.push(e.message));
  await agent.goto(`${server.base}/agent`);
  await agent.fill('input[name=email]', 'owner@files.test');
  await agent.fill('input[name=password]', PASSWORD);
  await agent.click('button[type=submit]');
  await agent.waitForSelector('.workspace');
  await agent.waitForSelector('.conn[hidden]', { state: 'attached' });

  const visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const visitor = await visitorContext.newPage();
  visitor.on('pageerror', (e) => errors.push(e.message));
  await visitor.goto(`${server.base}/demo?key=${shop.tenant.site_key}`);
  await visitor.locator('.launcher').click();
  await visitor.locator('textarea').fill('Hello, here is a photo of the damage');
  await visitor.keyboard.press('Enter');

  // The conversation is routed to the agent, who is online.
  const conv = agent.locator('[data-list=mine] .conv');
  await conv.first().waitFor();
  await conv.first().click();
  await agent.locator('.messages .msg.in .body', { hasText: 'photo of the damage' }).waitFor();

  // Widget: the file picker, then a pasted screenshot.
  await visitor.locator('input.file-input').setInputFiles({ name: 'damage.png', mimeType: 'image/png', buffer: png(480, 360, [220, 60, 60]) });
  await loadedImages(agent, '.messages .msg.in img.uc-image', 1);
  await pasteImage(visitor, 'textarea', 'screenshot.png', png(200, 120, [60, 160, 60]));
  await loadedImages(agent, '.messages .msg.in img.uc-image', 2);
  // The visitor sees their own images too.
  await loadedImages(visitor, '.row.own img.image', 2);
  await screenshot(agent, 'files-agent-received');

  // The lightbox shows the full image.
  await agent.locator('.messages .msg.in .uc-image-button').first().click();
  await agent.locator('.uc-lightbox img').waitFor();
  await loadedImages(agent, '.uc-lightbox img', 1);
  const full = await agent.locator('.uc-lightbox img').evaluate((img) => img.naturalWidth);
  assert.equal(full, 480, 'the lightbox shows the original, not the thumbnail');
  await screenshot(agent, 'files-agent-lightbox');
  await agent.keyboard.press('Escape');
  await agent.locator('.uc-lightbox').waitFor({ state: 'detached' });

  // Workspace: the picker (an image and a PDF), then a pasted screenshot.
  await agent.locator('.composer input.file-picker').setInputFiles([
    { name: 'answer.png', mimeType: 'image/png', buffer: png(400, 300, [60, 60, 220]) },
    { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n') },
  ]);
  await loadedImages(visitor, '.row.other img.image', 1);
  const card = visitor.locator('.row.other .file');
  await card.waitFor();
  assert.match(await card.textContent(), /invoice\.pdf/);
  assert.match(await card.textContent(), /application\/pdf/);
  await visitor.waitForFunction(() => {
    const a = document.querySelector('[data-uniqchat]').shadowRoot.querySelector('.row.other .file-link');
    return a && /\/files\/.+sig=/.test(a.getAttribute('href') || '');
  });
  await pasteImage(agent, '.composer-input', 'pasted.png', png(160, 100, [200, 160, 40]));
  await loadedImages(visitor, '.row.other img.image', 2);
  await screenshot(visitor, 'files-widget');
  await screenshot(agent, 'files-agent');
  assert.deepEqual(errors, []);
  await visitorContext.close();
  await agentContext.close();
});
