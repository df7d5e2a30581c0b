// Skill groups: create, rename, delete, see who is in them; members are chosen on the Agents page.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, table } from './form.js';

export async function renderGroups(root) {
  const groups = await api('GET', '/api/admin/groups');
  // Groups are few; their members come with each group's own record.
  const details = await Promise.all(groups.map((g) => api('GET', `/api/admin/groups/${g.id}`).catch(() => ({ members: [] }))));
  const reload = () => renderGroups(root);
  const notice = h('div');
  const rows = groups.map((g, i) => [
    h('strong', {}, g.name),
    g.description || h('span', { class: 'muted' }, '—'),
    details[i].members.length
      ? details[i].members.map((m) => h('span', { class: 'tag' }, m.name || m.email))
      : h('span', { class: 'muted' }, 'nobody yet'),
    h('div', { class: 'row-actions' },
      h('button', { onclick: async () => {
        const name = prompt('New name', g.name);
        if (!name) return;
        try {
          await api('PATCH', `/api/admin/groups/${g.id}`, { name });
          await reload();
        } catch (e) {
          mount(notice, h('p', { class: 'error' }, e.message));
        }
      } }, 'Rename'),
      h('button', { class: 'danger', onclick: async () => {
        if (!confirm(`Delete the group ${g.name}? Its members stay.`)) return;
        await api('DELETE', `/api/admin/groups/${g.id}`);
        await reload();
      } }, 'Delete'),
    ),
  ]);
  const create = apiForm([
    h('h2', {}, 'New group'),
    h('div', { class: 'grid2' },
      field('Name', input('name', { required: true, placeholder: 'Billing' })),
      field('Description', input('description', { placeholder: 'Invoices and refunds' })),
    ),
  ], async (form) => {
    const v = Object.fromEntries(new FormData(form));
    await api('POST', '/api/admin/groups', { name: v.name, description: v.description });
    await reload();
  }, { submitText: 'Create group' });
  mount(root, notice, h('div', { class: 'card' }, table(['Name', 'Description', 'Members', ''], rows, 'No groups yet.')), create);
}
