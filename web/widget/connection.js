// The visitor's link to the server: the session (POST /api/visitor/session), the WebSocket,
// reconnection with exponential backoff + jitter, and resuming from the last seen seq.
// The highest seq read with the window open is kept, so a reload's replay is not unread again.
// Sends stay pending (same client_msg_id) until the server acks them, so a send is retried
// across reconnects and the server's dedupe keeps it single.
import { load, save } from './storage.js';

const REOPEN = Symbol('reopen');

function takeReopenToken() {
  const m = /(?:^#|&)uniqchat_reopen=([A-Za-z0-9_\-.]+)/.exec(location.hash || '');
  if (!m) return null;
  try {
    const rest = location.hash.replace(m[0], '').replace(/^#&?/, '');
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  } catch { /* sandboxed page */ }
  return m[1];
}

/** Asks for the conversation's transcript by e-mail (POST /api/visitor/transcript). */
export async function requestTranscript(base, token, conversationId, email) {
  const r = await fetch(`${base}/api/visitor/transcript`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ conversation_id: conversationId, email: email || undefined, language: navigator.language || undefined }),
  });
  if (!r.ok) {
    const answer = await r.json().catch(() => ({}));
    throw new Error(answer.error?.message || `transcript ${r.status}`);
  }
}

/** Leaves the bots for a person (POST /api/visitor/bots/human). */
export async function askForHuman(base, token, conversationId) {
  const r = await fetch(`${base}/api/visitor/bots/human`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ conversation_id: conversationId }),
  });
  if (!r.ok) throw new Error(`human ${r.status}`);
}

export function connect({ base, siteKey, onSession, onFrame, onState, onSwitched, onOpen }) {
  const stored = load(siteKey);
  let ws = null;
  let attempt = 0;
  let session = null;
  const pending = new Map(); // client_msg_id -> send frame

  // A reply mail's link (docs/mail.md) carries `#uniqchat_reopen=<token>`: the session becomes
  // that visitor's, and the fragment leaves the address bar at once.
  const reopenToken = takeReopenToken();

  async function openSession(profile = {}) {
    const reopen = profile === REOPEN;
    const r = await fetch(`${base}/api/visitor/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        site_key: siteKey, visitor_token: stored.token || undefined,
        page_url: location.href, referrer: document.referrer || undefined,
        language: navigator.language || undefined,
        reopen_token: reopen ? reopenToken : undefined, ...(reopen ? {} : profile),
      }),
    });
    if (!r.ok) throw new Error(`session ${r.status}`);
    session = await r.json();
    if (reopen) {
      // Possibly another visitor than the one this browser knew: start from their conversation.
      session.reopened = true;
      delete stored.readSeq;
      if (!session.conversation) delete stored.conversationId;
    }
    stored.token = session.visitor_token;
    if (session.conversation) stored.conversationId = session.conversation.id;
    save(siteKey, stored);
    onSession(session);
  }

  function open() {
    const url = new URL('/ws/visitor', base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', stored.token);
    ws = new WebSocket(url);
    ws.onopen = () => {
      attempt = 0;
      onState('online');
      // Resume from what this page has already shown (0 after a reload: the history is replayed
      // and deduplicated by seq), then retry what was never acknowledged.
      if (stored.conversationId) {
        replaying = true;
        raw({ type: 'resume', conversations: { [stored.conversationId]: shownSeq() } });
      }
      for (const f of pending.values()) raw(f);
      onOpen?.();
    };
    ws.onmessage = (ev) => {
      const frame = JSON.parse(ev.data);
      if (frame.type === 'ack' && frame.client_msg_id) pending.delete(frame.client_msg_id);
      const cid = frame.conversation_id || frame.message?.conversation_id || frame.conversation?.id;
      if (cid && cid !== stored.conversationId && frame.type !== 'error') {
        stored.conversationId = cid;
        delete stored.readSeq;
        save(siteKey, stored);
      }
      onFrame(frame);
      if (frame.type === 'resumed') replaying = false;
    };
    ws.onclose = () => {
      replaying = false;
      onState('offline');
      // Exponential backoff capped at 30 s, with jitter so many visitors don't reconnect at once.
      const delay = Math.min(30000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt += 1;
      setTimeout(open, delay);
    };
  }

  let shownSeq = () => 0;
  // Between `resume` and `resumed` the server replays history: the caller shows it without
  // ringing for every old message.
  let replaying = false;
  const raw = (f) => { if (ws && ws.readyState === 1) ws.send(JSON.stringify(f)); };

  return {
    async start(profile) { await openSession(reopenToken ? REOPEN : profile); open(); },
    setShownSeq(fn) { shownSeq = fn; },
    conversationId: () => stored.conversationId,
    forgetConversation() { delete stored.conversationId; delete stored.readSeq; save(siteKey, stored); },
    replaying: () => replaying,
    /** Whether `seq` of the open conversation was already seen with the window open (kept across reloads). */
    wasRead: (seq) => seq <= (stored.readSeq || 0),
    send(body) {
      const client_msg_id = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
      const f = { type: 'send', client_msg_id, body, conversation_id: stored.conversationId || null };
      pending.set(client_msg_id, f);
      raw(f);
      return client_msg_id;
    },
    /** Posts an uploaded file; like a text, kept until acknowledged and resent after a reconnect. */
    sendAttachment(conversationId, attachmentId) {
      const client_msg_id = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
      const f = { type: 'send', client_msg_id, conversation_id: conversationId, attachment_id: attachmentId };
      pending.set(client_msg_id, f);
      raw(f);
      return client_msg_id;
    },
    /** Asks for the session again (the tenant's settings as they are now), on the same socket. */
    refresh() { return openSession(); },
    /** Sends again what was never acknowledged (after the pre-chat form, say). */
    retry() { for (const f of pending.values()) raw(f); },
    token: () => stored.token,
    /** `draft`: the text so far, sent only when the tenant turned the typing preview on. */
    typing(on, draft) {
      if (stored.conversationId) raw({ type: 'typing', conversation_id: stored.conversationId, on, ...(draft === undefined ? {} : { draft }) });
    },
    /** Sends the pre-chat form's answers; throws an Error with the server's `fields` when refused. */
    async prechat(answers) {
      const r = await fetch(`${base}/api/visitor/prechat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ visitor_token: stored.token, ...answers }),
      });
      const answer = await r.json().catch(() => ({}));
      if (!r.ok) throw Object.assign(new Error(answer.error?.message || `prechat ${r.status}`), { fields: answer.error?.fields });
      stored.prechatDone = true;
      save(siteKey, stored);
      return answer;
    },
    /** Reports the page the visitor is on (tracking.js). */
    page(nav) { raw({ type: 'page', ...nav }); },
    read(seq) {
      if (!stored.conversationId) return;
      if (seq > (stored.readSeq || 0)) { stored.readSeq = seq; save(siteKey, stored); }
      raw({ type: 'read', conversation_id: stored.conversationId, seq });
    },
    rate(conversationId, rating, comment) { raw({ type: 'rate', conversation_id: conversationId, rating, comment: comment || null }); },
    /**
     * `identify`: with `user_id` and `user_hash` (hex HMAC-SHA256 of user_id under the site's
     * identity secret) the server verifies the visitor (POST /api/visitor/identify) and may
     * switch this browser to the user's visitor from another device; without them it only
     * records name and e-mail.
     */
    async identify(profile) {
      if (!profile.user_id) return openSession({ name: profile.name, email: profile.email });
      const r = await fetch(`${base}/api/visitor/identify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          visitor_token: stored.token, user_id: String(profile.user_id), user_hash: String(profile.user_hash || ''),
          name: profile.name, email: profile.email, attributes: profile.attributes,
        }),
      });
      const answer = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(answer.error?.message || `identify ${r.status}`);
      stored.token = answer.visitor_token;
      if (answer.switched) {
        delete stored.readSeq;
        if (answer.conversation) stored.conversationId = answer.conversation.id;
        else delete stored.conversationId;
      }
      save(siteKey, stored);
      if (answer.switched) {
        onSwitched?.(answer);
        // Reconnect as the identified visitor; `onopen` resumes their conversation from 0.
        if (ws) ws.close();
      }
      return answer.visitor;
    },
    prefs: stored,
    savePrefs: () => save(siteKey, stored),
  };
}
