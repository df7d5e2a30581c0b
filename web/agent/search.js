// Searching message text across the tenant's conversations; a hit opens its conversation,
// fetching the closed ones' list first when the hit is not among the open ones.

import { h, clock } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { state, changed, upsertConversation, visitorName } from './state.js';
import { select } from './selection.js';
import { toast } from './toast.js';
import { t } from '../shared/i18n.js';

const MIN_CHARS = 2;
let timer = null;

export function searchBox() {
  const input = h('input', { type: 'search', class: 'search', placeholder: t('search.placeholder'), 'aria-label': t('search.label') });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < MIN_CHARS) {
      state.search = null;
      changed();
      return;
    }
    timer = setTimeout(() => run(q), 250);
  });
  return input;
}

async function run(q) {
  try {
    const hits = await api('GET', `/api/agent/search?q=${encodeURIComponent(q)}&limit=50`);
    state.search = { q, hits };
    changed();
  } catch (e) {
    toast(e.message);
  }
}

async function open(hit) {
  if (!state.conversations.has(hit.conversation_id)) {
    const closed = await api('GET', '/api/agent/conversations?view=closed&limit=200').catch(() => ({ items: [] }));
    for (const c of closed.items) upsertConversation(c);
  }
  if (!state.conversations.has(hit.conversation_id)) {
    upsertConversation({ id: hit.conversation_id, state: 'closed', created_at: hit.created_at, updated_at: hit.created_at });
  }
  select(hit.conversation_id);
}

export function searchResults() {
  const { q, hits } = state.search;
  return h('section', { class: 'list results' },
    h('h2', {}, t('search.results', { q }), h('span', { class: 'count' }, hits.length)),
    hits.length ? hits.map((m) => {
      const c = state.conversations.get(m.conversation_id);
      return h('button', { class: 'conv hit', onclick: () => open(m) },
        h('span', { class: 'conv-main' },
          h('span', { class: 'conv-name' }, c ? visitorName(c) : t('search.conversation')),
          h('span', { class: 'conv-preview' }, m.body)),
        h('span', { class: 'conv-meta' }, clock(m.created_at)));
    }) : h('p', { class: 'empty' }, t('search.none')));
}
