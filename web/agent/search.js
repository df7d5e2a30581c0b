// Searching messages, notes, visitors and archived conversations across the tenant's conversations; a hit opens its
// conversation, fetching the closed ones' list first when the hit is not among the open ones.
// The server marks matches as code point ranges of a snippet; they become <mark> elements
// around text nodes, so nothing is parsed as HTML.

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
    const found = await api('GET', `/api/agent/search?q=${encodeURIComponent(q)}&limit=50`);
    state.search = { q, hits: found.items, visitors: found.visitors, archived: found.archived || [] };
    changed();
  } catch (e) {
    toast(e.message);
  }
}

/** The snippet's text with its marked ranges (code points) in <mark>. */
function marked(snippet) {
  const chars = Array.from(snippet.text);
  const parts = [];
  let at = 0;
  for (const [start, end] of snippet.marks) {
    if (start < at || end > chars.length) continue;
    parts.push(chars.slice(at, start).join(''), h('mark', {}, chars.slice(start, end).join('')));
    at = end;
  }
  parts.push(chars.slice(at).join(''));
  return parts;
}

function openVisitor(v) {
  const found = [...state.conversations.values()].find((c) => c.visitor?.id === v.id);
  if (found) select(found.id);
  else toast(v.display_name);
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
  const { q, hits, visitors, archived } = state.search;
  const people = visitors.map((v) => h('button', { class: 'conv hit visitor-hit', onclick: () => openVisitor(v.visitor) },
    h('span', { class: 'conv-main' },
      h('span', { class: 'conv-name' }, v.visitor.display_name),
      h('span', { class: 'conv-preview' }, marked(v.snippet)))));
  const messages = hits.map((m) => {
    const c = state.conversations.get(m.message.conversation_id);
    return h('button', { class: `conv hit${m.matched === 'note' ? ' note-hit' : ''}`, onclick: () => open(m.message) },
      h('span', { class: 'conv-main' },
        h('span', { class: 'conv-name' }, c ? visitorName(c) : t('search.conversation')),
        h('span', { class: `conv-preview${m.matched === 'note' ? ' note' : ''}` }, marked(m.snippet))),
      h('span', { class: 'conv-meta' }, clock(m.message.created_at)));
  });
  // Archived conversations match by their summary; opening one reads it back from the archive.
  const old = archived.map((a) => h('button', { class: 'conv hit archived-hit', onclick: () => open({ conversation_id: a.conversation_id, created_at: a.archived_at }) },
    h('span', { class: 'conv-main' },
      h('span', { class: 'conv-name' }, t('search.archived', { n: a.message_count })),
      h('span', { class: 'conv-preview' }, marked(a.snippet))),
    h('span', { class: 'conv-meta' }, clock(a.archived_at))));
  const count = hits.length + visitors.length + archived.length;
  return h('section', { class: 'list results' },
    h('h2', {}, t('search.results', { q }), h('span', { class: 'count' }, count)),
    count ? [...people, ...messages, ...old] : h('p', { class: 'empty' }, t('search.none')));
}
