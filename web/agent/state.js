// What the workspace knows: conversations by id and their messages by seq. Everything the
// socket or the REST API tells is merged here; views re-render from it on `changed`.

export const state = {
  me: null, // the signed-in user
  conversations: new Map(), // id → {id, state, agent_id, visitor, last_seq, unread, created_at, …}
  messages: new Map(), // conversation id → Map(seq → message)
  oldestLoaded: new Map(), // conversation id → lowest seq fetched (1 = everything)
  typing: new Map(), // conversation id → true while the visitor types
  drafts: new Map(), // conversation id → the visitor's unsent text (typing preview)
  modelDrafts: new Map(), // conversation id → [{id, body}]: the model's pending reply drafts (hybrid mode)
  seenSeq: new Map(), // conversation id → last seq the visitor has read
  pending: new Map(), // client_msg_id → {conversation_id, body, kind}: sent, not yet stored
  selected: null, // the open conversation's id
  status: 'online',
  connection: 'connecting',
};

const listeners = new Set();
let scheduled = false;

/** Views subscribe here; several changes in one tick render once. */
export function onChange(fn) {
  listeners.add(fn);
}

export function changed() {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    for (const fn of listeners) fn();
  });
}

/** Merges a conversation from a frame (raw) or the REST list (with visitor and unread). */
export function upsertConversation(c) {
  const old = state.conversations.get(c.id);
  const merged = { unread: 0, ...old, ...c };
  if (!merged.visitor) merged.visitor = { id: c.visitor_id, name: null, email: null };
  state.conversations.set(c.id, merged);
  changed();
  return { conversation: merged, isNew: !old };
}

/** Stores a message; answers false if it was already there (live and replayed). */
export function addMessage(m) {
  let byseq = state.messages.get(m.conversation_id);
  if (!byseq) state.messages.set(m.conversation_id, (byseq = new Map()));
  if (m.client_msg_id) state.pending.delete(m.client_msg_id);
  if (byseq.has(m.seq)) return false;
  byseq.set(m.seq, m);
  const c = state.conversations.get(m.conversation_id);
  if (c && m.seq > (c.last_seq ?? 0)) c.last_seq = m.seq;
  if (c) c.last_message = latest(byseq);
  changed();
  return true;
}

function latest(byseq) {
  let best = null;
  for (const m of byseq.values()) if (m.kind !== 'event' && (!best || m.seq > best.seq)) best = m;
  return best;
}

/** My messages on their way (shown greyed until the server has them). */
export function pendingOf(id) {
  return [...state.pending.entries()].filter(([, p]) => p.conversation_id === id);
}

export function messagesOf(id) {
  return [...(state.messages.get(id)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
}

/** The highest seq held per open conversation with loaded messages, for `resume`. */
export function lastSeqs() {
  const out = {};
  for (const [id, byseq] of state.messages) {
    if (state.conversations.get(id)?.state === 'closed' || !byseq.size) continue;
    out[id] = Math.max(...byseq.keys());
  }
  return out;
}

export function visitorName(c) {
  return c.visitor?.name || c.visitor?.email || c.visitor?.display_name || `Visitor ${String(c.visitor?.id ?? c.visitor_id ?? '').slice(-4)}`;
}

/** Unread messages count only where I can read them off: my conversations and the queue. */
export function countsUnread(c) {
  return c.state !== 'closed' && (c.state === 'waiting' || c.agent_id === state.me?.id);
}
