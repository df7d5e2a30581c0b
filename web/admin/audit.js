// The audit log, newest first, with the acting person's name and a "load more" for older pages.

import { h, mount, dateTime } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { table } from './form.js';

function details(d) {
  if (!d || typeof d !== 'object' || !Object.keys(d).length) return '';
  return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

export async function renderAudit(root) {
  const users = await api('GET', '/api/admin/users?limit=200');
  const names = new Map(users.items.map((u) => [u.id, u.name || u.email]));
  const entries = [];
  const holder = h('div', { class: 'card' });
  const more = h('button', {}, 'Load older');
  let cursor = null;

  async function page() {
    const r = await api('GET', `/api/admin/audit?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    entries.push(...r.items);
    cursor = r.next_cursor;
    mount(holder, table(['When', 'Who', 'Action', 'Target', 'Details'], entries.map((e) => [
      dateTime(e.created_at),
      names.get(e.actor_id) ?? (e.actor_id ? `token ${e.actor_id.slice(-6)}` : 'system'),
      h('code', { class: 'action' }, e.action),
      `${e.target_kind}${e.target_id ? ` ${names.get(e.target_id) ?? e.target_id.slice(-6)}` : ''}`,
      h('span', { class: 'clip', title: details(e.details) }, details(e.details)),
    ]), 'No changes recorded yet.'));
    more.hidden = !cursor;
  }
  more.onclick = page;
  mount(root, holder, more);
  await page();
}
