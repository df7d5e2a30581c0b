// An agent driven from a test over the real agent WebSocket. Node 20 has no WebSocket and the
// tests add no packages, so the socket lives in a Playwright page on the server's origin and
// the frames it receives are kept there for the test to wait on.

/** Connects the agent with `token`; returns a small driver. */
export async function connectAgent(browser, base, token) {
  const page = await browser.newPage();
  await page.goto(`${base}/healthz`);
  await page.evaluate(async (token) => {
    const a = (window.__agent = { frames: [] });
    await new Promise((resolve, reject) => {
      a.ws = new WebSocket(`ws://${location.host}/ws/agent?token=${token}`);
      a.ws.onmessage = (ev) => {
        const f = JSON.parse(ev.data);
        a.frames.push(f);
        if (f.type === 'hello') resolve();
      };
      a.ws.onerror = () => reject(new Error('agent socket failed'));
    });
  }, token);
  return {
    page,
    /** Sends a frame. */
    send: (frame) => page.evaluate((f) => window.__agent.ws.send(JSON.stringify(f)), frame),
    /** Waits for a frame matching `pred` (a function of the frame, run in the page). */
    async waitFor(pred) {
      const handle = await page.waitForFunction(
        (src) => window.__agent.frames.find(new Function('f', `return (${src})(f)`)),
        pred.toString(),
        { timeout: 15_000 },
      );
      return handle.jsonValue();
    },
    close: () => page.close(),
  };
}
