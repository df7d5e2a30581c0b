// Shared by the browser tests: a real uniqchat server on a free port with a fresh SQLite
// database and a tenant, and a headless Chromium to drive it.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.UNIQCHAT_BIN ?? join(ROOT, 'target', 'debug', 'uniqchat');
export const SCREENSHOTS = join(ROOT, 'target', 'screenshots');
export const PASSWORD = 'Correct-Horse-Battery-9';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Starts `uniqchat serve` on a fresh database; `env` adds UNIQCHAT__… settings. */
export async function startServer({ env = {} } = {}) {
  const workdir = mkdtempSync(join(tmpdir(), 'uniqchat-e2e-'));
  mkdirSync(join(workdir, 'data'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const childEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('UNIQCHAT__'))),
    UNIQCHAT_PROFILE: 'test',
    UNIQCHAT__DATABASE__URL: `sqlite://${workdir}/data/e2e.db?mode=rwc`,
    UNIQCHAT__RATE_LIMIT__ENABLED: 'false',
    UNIQCHAT__AUTH__LOGIN_PER_MINUTE_ACCOUNT: '1000',
    UNIQCHAT__AUTH__LOGIN_PER_MINUTE_IP: '10000',
    UNIQCHAT__SERVER__PUBLIC_URL: base,
    ...env,
  };
  const cli = async (...args) => {
    const { stdout } = await promisify(execFile)(BIN, ['--config-dir', join(ROOT, 'config'), ...args], {
      cwd: workdir,
      env: childEnv,
    });
    return stdout;
  };
  await cli('migrate');
  const child = spawn(BIN, ['--config-dir', join(ROOT, 'config'), 'serve', '--bind', `127.0.0.1:${port}`], {
    cwd: workdir,
    env: childEnv,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`uniqchat exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('uniqchat did not become healthy');
    await new Promise((r) => setTimeout(r, 100));
  }
  const server = {
    base,
    workdir,
    /** A new tenant and its owner: `{ tenant: {id, name, site_key}, account: {id, email}, password }`. */
    async tenant(name, email) {
      const out = await cli('init', '--tenant', name, '--email', email, '--password', PASSWORD, '--json');
      return { ...JSON.parse(out), password: PASSWORD };
    },
    /** An access token for the REST API. */
    async login(email, password = PASSWORD) {
      const r = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (!r.ok) throw new Error(`login ${email}: ${r.status} ${await r.text()}`);
      return (await r.json()).access_token;
    },
    /** Calls the REST API with a token; returns the parsed body, throws on an error status. */
    async api(method, path, token, body) {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(workdir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * The server and browser the tests of one file share: started before the first test (`options`
 * as for `startServer`), then `setup({ server, browser })` makes the file's own data; both are
 * stopped after the last test, the browser first.
 */
export function shareServerAndBrowser(options = {}, setup = async () => {}) {
  const shared = {};
  before(async () => {
    shared.server = await startServer(options);
    shared.browser = await launchBrowser();
    await setup(shared);
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.stop();
  });
  return shared;
}

/** Headless Debian Chromium. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Writes target/screenshots/NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}
