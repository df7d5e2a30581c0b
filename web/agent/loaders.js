// REST reads: the lists (with visitor names and unread counts), a conversation's history in
// pages by seq, and the visitor's profile.

import { api } from '../shared/api.js';
import { state, upsertConversation, addMessage, changed } from './state.js';
import { markRead } from './reading.js';

export async function loadLists() {
  const asked = Date.now();
  const [queue, open] = await Promise.all([
    api('GET', '/api/agent/conversations?view=queue&limit=200'),
    api('GET', '/api/agent/conversations?view=all&limit=200'),
  ]);
  const listed = new Set();
  for (const c of [...queue.items, ...open.items]) {
    upsertConversation(c);
    listed.add(c.id);
  }
  // One we hold as open but the server no longer lists was closed while we were not looking
  // (e.g. during a reconnect). Newer ones may simply have been created after the lists were read.
  for (const c of state.conversations.values()) {
    if (c.state !== 'closed' && !listed.has(c.id) && Date.parse(c.updated_at) < asked - 1000) {
      upsertConversation({ ...c, state: 'closed' });
    }
  }
  // The counts were read on the server, maybe before our last `read` reached it: the open
  // conversation in a visible tab is read, whatever the list said.
  if (state.selected && !document.hidden) markRead(state.selected);
}

// A frame only names the visitor by id; the list entry has their name and e-mail.
let refreshTimer = null;
export function refreshListsSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => loadLists().catch(() => {}), 250);
}

const loading = new Set();

/** Loads the page of messages before the oldest held (or the latest page). */
export async function loadHistory(id) {
  const oldest = state.oldestLoaded.get(id);
  if (oldest === 1 || loading.has(id)) return false;
  loading.add(id);
  try {
    const q = oldest ? `?before_seq=${oldest}&limit=50` : '?limit=50';
    const page = await api('GET', `/api/agent/conversations/${id}/messages${q}`);
    for (const m of page.messages) addMessage(m);
    const first = page.messages[0]?.seq ?? 1;
    state.oldestLoaded.set(id, page.messages.length ? first : 1);
    changed();
    return true;
  } finally {
    loading.delete(id);
  }
}

const profiles = new Map();
export async function loadVisitor(visitorId) {
  if (!profiles.has(visitorId)) {
    profiles.set(visitorId, api('GET', `/api/agent/visitors/${visitorId}`).catch((e) => {
      profiles.delete(visitorId);
      throw e;
    }));
  }
  return profiles.get(visitorId);
}

/** Drops a visitor's cached profile, so the next `loadVisitor` reads it anew (they moved). */
export function forgetVisitor(visitorId) {
  profiles.delete(visitorId);
}
