// A WebSocket client for /ws/agent (or /ws/visitor) that reconnects with backoff and, after each
// reconnect, asks the server to replay what was missed (`resume`) and resends unacknowledged
// messages with their original client_msg_id, which the server deduplicates.

export class Socket {
  /**
   * @param {() => Promise<string>} urlFor  builds the URL (with a fresh token) for each attempt
   * @param {{onFrame: (f) => void, onState?: (s: string) => void, lastSeqs: () => object}} hooks
   */
  constructor(urlFor, hooks) {
    this.urlFor = urlFor;
    this.hooks = hooks;
    this.ws = null;
    this.attempt = 0;
    this.nextId = 1;
    this.waiting = new Map(); // request id → {resolve, reject}
    this.unacked = new Map(); // client_msg_id → send frame, resent after a reconnect
    this.stopped = false;
  }

  async connect() {
    let url;
    try {
      url = await this.urlFor();
    } catch (e) {
      this.hooks.onState?.('failed', e);
      return;
    }
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (ev) => this.receive(JSON.parse(ev.data));
    ws.onclose = (ev) => this.closed(ev);
  }

  receive(frame) {
    if (frame.type === 'hello') {
      this.attempt = 0;
      // What we hold is read before the hello is merged, so a reconnect replays the gap.
      const have = this.hooks.lastSeqs();
      this.hooks.onState?.('open');
      this.hooks.onFrame(frame);
      this.resume(have);
      return;
    }
    if (frame.type === 'ack') this.unacked.delete(frame.client_msg_id);
    const pending = frame.id && this.waiting.get(frame.id);
    if (pending) {
      this.waiting.delete(frame.id);
      if (frame.type === 'error') pending.reject(Object.assign(new Error(frame.message), { code: frame.code }));
      else pending.resolve(frame);
    }
    this.hooks.onFrame(frame);
  }

  resume(conversations) {
    if (Object.keys(conversations).length) this.raw({ type: 'resume', conversations });
    for (const frame of this.unacked.values()) this.raw(frame);
  }

  closed(ev) {
    for (const p of this.waiting.values()) p.reject(new Error('connection closed'));
    this.waiting.clear();
    // 4003: the visitor was blocked; 4001-ish auth failures end in onState('failed') via urlFor.
    if (this.stopped || ev.code === 4003) {
      this.hooks.onState?.('closed', ev);
      return;
    }
    this.hooks.onState?.('reconnecting', ev);
    const delay = Math.min(15000, 500 * 2 ** this.attempt++) * (0.75 + Math.random() / 2);
    setTimeout(() => this.connect(), delay);
  }

  raw(frame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Sends a request and resolves with its reply (rejects on `error`). */
  request(frame) {
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      if (this.ws?.readyState !== WebSocket.OPEN) return reject(new Error('not connected'));
      this.waiting.set(id, { resolve, reject });
      this.raw({ ...frame, id });
    });
  }

  /** A message or note: kept until acknowledged so a reconnect resends it. */
  send(type, conversationId, body) {
    const frame = { type, conversation_id: conversationId, client_msg_id: crypto.randomUUID(), body };
    this.unacked.set(frame.client_msg_id, frame);
    return this.request(frame);
  }

  stop() {
    this.stopped = true;
    this.ws?.close(1000);
  }
}
