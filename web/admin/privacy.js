// Privacy requests about one visitor (docs/privacy.md): download everything stored about them
// as JSON, or erase it all (typing the visitor's id again to confirm). Visitors are picked from
// recent conversations or by id.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { download } from './reports.js';
import { table } from './form.js';

/** Visitors of the newest open and closed conversations, each once. */
async function recentVisitors() {
  const seen = new Map();
  for (const view of ['all', 'closed']) {
    const page = await api('GET', `/api/agent/conversations?view=${view}&limit=50`);
    for (const c of page.items) if (!seen.has(c.visitor.id)) seen.set(c.visitor.id, { ...c.visitor, last: c.updated_at });
  }
  return [...seen.values()].sort((a, b) => (a.last < b.last ? 1 : -1));
}

export async function renderPrivacy(root, me) {
  const status = h('p', { class: 'form-note', role: 'status' });
  const exportOf = (id) => download(`/api/admin/visitors/${encodeURIComponent(id)}/export`);
  const erase = async (id, label) => {
    const typed = prompt(`Erase ${label}? Their conversations, messages, notes, files and archives are deleted for good.\nType the visitor's id to confirm:\n${id}`);
    if (typed == null) return;
    try {
      const r = await api('POST', `/api/admin/visitors/${encodeURIComponent(id)}/erase`, { confirm: typed.trim() });
      await renderPrivacy(root, me);
      root.querySelector('[role=status]').textContent =
        `Erased ${id}: ${r.conversations} conversations, ${r.messages} messages, ${r.files} files.`;
    } catch (e) {
      status.textContent = e.message;
    }
  };
  const buttons = (id, label) => h('span', { class: 'actions' },
    h('button', { type: 'button', class: 'export', onclick: () => exportOf(id).catch((e) => (status.textContent = e.message)) }, 'Export data'),
    h('button', { type: 'button', class: 'danger erase', onclick: () => erase(id, label) }, 'Erase visitor'));

  const idInput = h('input', { name: 'visitor_id', placeholder: 'Visitor id', autocomplete: 'off' });
  const byId = h('div', { class: 'card' },
    h('h2', {}, 'A visitor by id'),
    h('p', { class: 'muted' }, 'The id is the visitor_id of webhooks and of the API.'),
    h('div', { class: 'actions' }, idInput,
      h('button', { type: 'button', class: 'export-id', onclick: () => idInput.value.trim() && exportOf(idInput.value.trim()).catch((e) => (status.textContent = e.message)) }, 'Export data'),
      h('button', { type: 'button', class: 'danger erase-id', onclick: () => idInput.value.trim() && erase(idInput.value.trim(), 'this visitor') }, 'Erase visitor')));

  const visitors = await recentVisitors();
  mount(root,
    h('p', { class: 'muted' }, 'Export gives a visitor everything stored about them; erasing deletes it, file bytes included. Both are recorded in the audit log.'),
    status,
    byId,
    h('div', { class: 'card' },
      h('h2', {}, 'Recent visitors'),
      table(['Visitor', 'E-mail', 'Id', ''], visitors.map((v) => {
        const row = [v.display_name, v.email ?? '—', h('code', {}, v.id), buttons(v.id, v.display_name)];
        return row;
      }), 'No conversations yet.')));
  for (const [i, v] of visitors.entries()) root.querySelectorAll('tbody tr')[i]?.setAttribute('data-visitor', v.id);
}
