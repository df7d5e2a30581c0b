// A visitor driven from a test: the visitor session and its WebSocket live inside a Playwright
// page (Node 20 has no WebSocket and the tests add no packages), the frames are kept there.

/** Opens a visitor session for `siteKey` and connects its socket; answers a small driver. */
export async function openVisitor(browser, base, siteKey, profile = {}) {
  const page = await browser.newPage();
  await page.goto(`${base}/healthz`); // any page of the server's origin will do
  await page.evaluate(async ([key, profile]) => {
    const r = await fetch('/api/visitor/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ site_key: key, page_url: 'https://shop.example/pricing', referrer: 'https://search.example/', ...profile }),
    });
    if (!r.ok) throw new Error(`session: ${r.status} ${await r.text()}`);
    const session = await r.json();
    const v = (window.__visitor = { session, frames: [], seq: 0 });
    await new Promise((resolve, reject) => {
      v.ws = new WebSocket(`ws://${location.host}/ws/visitor?token=${session.visitor_token}`);
      v.ws.onmessage = (ev) => {
        const f = JSON.parse(ev.data);
        v.frames.push(f);
        if (f.type === 'hello') resolve();
      };
      v.ws.onerror = () => reject(new Error('visitor socket failed'));
      // The close is kept as a pseudo-frame so tests can wait for it like any other.
      v.ws.onclose = (ev) => v.frames.push({ type: '__closed', code: ev.code });
    });
  }, [siteKey, profile]);

  return {
    page,
    /** Sends a message; resolves with its ack. */
    async send(body) {
      return this.sendMany([body]);
    },
    /** Sends many messages at once; resolves when the last is acknowledged. */
    async sendMany(bodies) {
      const last = await page.evaluate((bodies) => {
        const v = window.__visitor;
        let id;
        for (const body of bodies) {
          id = `c${++v.seq}-${Date.now()}`;
          v.ws.send(JSON.stringify({ type: 'send', client_msg_id: id, body }));
        }
        return id;
      }, bodies);
      return this.waitFor((f, id) => f.type === 'ack' && f.client_msg_id === id, last);
    },
    frame(frame) {
      return page.evaluate((f) => window.__visitor.ws.send(JSON.stringify(f)), frame);
    },
    /** Waits until a frame matching `pred(frame, arg)` has arrived and returns it. */
    async waitFor(pred, arg) {
      const handle = await page.waitForFunction(
        ([src, arg]) => {
          const fn = new Function(`return (${src})`)();
          return window.__visitor.frames.find((f) => fn(f, arg)) ?? null;
        },
        [pred.toString(), arg],
      );
      return handle.jsonValue();
    },
    async close() {
      await page.close();
    },
  };
}
