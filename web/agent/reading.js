// Tells the server what the agent has seen (`read`), once per new seq, and clears the badge.

import { state, messagesOf, changed } from './state.js';

const sent = new Map(); // conversation id → last seq reported

export function markRead(id) {
  const c = state.conversations.get(id);
  const last = messagesOf(id).at(-1)?.seq;
  if (!c || !last) return;
  if (c.unread) {
    c.unread = 0;
    changed();
  }
  if ((sent.get(id) ?? 0) >= last) return;
  sent.set(id, last);
  // The server answers `read` only to refuse it; the id marks such an error as expected
  // (e.g. reading a waiting conversation), so it is not shown as a failure.
  state.socket?.raw({ type: 'read', id: 'read', conversation_id: id, seq: last });
}

// Coming back to the tab counts as reading the open conversation.
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.selected) markRead(state.selected);
});
