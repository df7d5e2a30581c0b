// The pages are served with the headers a browser needs, and the demo page loads the widget.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareServerAndBrowser } from './harness.mjs';

let server;
let browser;
shareServerAndBrowser({}, async (shared) => {
  ({ server, browser } = shared);
});

test('pages and assets are served with types, caching and a content security policy', async () => {
  for (const [path, type] of [
    ['/agent', 'text/html'],
    ['/admin', 'text/html'],
    ['/demo', 'text/html'],
    ['/widget.js', 'text/javascript'],
  ]) {
    const r = await fetch(`${server.base}${path}`);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), new RegExp(type), path);
    const etag = r.headers.get('etag');
    assert.ok(etag, `${path} has an ETag`);
    const again = await fetch(`${server.base}${path}`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304, `${path} revalidates`);
  }
  const page = await fetch(`${server.base}/agent`);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
  const missing = await fetch(`${server.base}/assets/agent/nope.js`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'not_found');
  const escape = await fetch(`${server.base}/assets/..%2Fconfig/default.toml`);
  assert.equal(escape.status, 404);
});

test('a browser opens the demo page', async () => {
  const page = await browser.newPage();
  const r = await page.goto(`${server.base}/demo`);
  assert.equal(r.status(), 200);
  await page.close();
});
