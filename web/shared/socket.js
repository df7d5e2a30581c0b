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
    this.unacked = new Map(); // client_msg_id → {frame, resolve, reject}, resent after a reconnect
    this.stopped = false;
  }

  async connect() {
    let url;
    try {
      url = await this.urlFor();
    } catch (e) {
      this.hooks.onState?.('failed', e);
      // A network failure while refreshing is worth another try; an ended login is not.
      if (e.status !== 401) this.closed({ code: 1006 });
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
    if (frame.type === 'ack') this.settle(frame.client_msg_id, (m) => m.resolve(frame));
    if (frame.type === 'error' && frame.id?.startsWith('m-')) this.settle(frame.id.slice(2), (m) => m.reject(frameError(frame)));
    const pending = frame.id && this.waiting.get(frame.id);
    if (pending) {
      this.waiting.delete(frame.id);
      if (frame.type === 'error') pending.reject(frameError(frame));
      else pending.resolve(frame);
    }
    this.hooks.onFrame(frame);
  }

  resume(conversations) {
    if (Object.keys(conversations).length) this.raw({ type: 'resume', conversations });
    for (const { frame } of this.unacked.values()) this.raw(frame);
  }

  settle(clientMsgId, fn) {
    const entry = this.unacked.get(clientMsgId);
    if (!entry) return;
    this.unacked.delete(clientMsgId);
    fn(entry);
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

  /**
   * A message or note. It is kept until acknowledged: written now if connected, else (and again
   * after any reconnect) once the connection is back; the server drops the duplicates.
   * Resolves with the `ack`, rejects with the server's `error`.
   */
  send(type, conversationId, body, clientMsgId = newId()) {
    const frame = { type, id: `m-${clientMsgId}`, conversation_id: conversationId, client_msg_id: clientMsgId, body };
    return new Promise((resolve, reject) => {
      this.unacked.set(clientMsgId, { frame, resolve, reject });
      this.raw(frame);
    });
  }

  /** Posts an uploaded file (`attachment_id`) as a message; kept until acknowledged, like `send`. */
  sendAttachment(conversationId, attachmentId, clientMsgId = newId()) {
    const frame = { type: 'send', id: `m-${clientMsgId}`, conversation_id: conversationId, client_msg_id: clientMsgId, attachment_id: attachmentId };
    return new Promise((resolve, reject) => {
      this.unacked.set(clientMsgId, { frame, resolve, reject });
      this.raw(frame);
    });
  }

  stop() {
    this.stopped = true;
    this.ws?.close(1000);
  }
}

function frameError(frame) {
  return Object.assign(new Error(frame.message), { code: frame.code });
}

/** A random id; crypto.randomUUID exists only on https or localhost pages. */
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
