// Agents: create one (a one-time password is shown once), change role, capacity and groups,
// disable or enable, reset the password.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, select, table, secretBox } from './form.js';

const ROLES = [['agent', 'Agent'], ['admin', 'Admin'], ['owner', 'Owner']];

function groupBoxes(groups, chosen = []) {
  if (!groups.length) return h('p', { class: 'muted' }, 'No groups yet.');
  return h('div', { class: 'checks' }, groups.map((g) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'group_ids', value: g.id, checked: chosen.includes(g.id) }), g.name)));
}

function checked(form) {
  return [...form.querySelectorAll('input[name=group_ids]:checked')].map((i) => i.value);
}

export async function renderAgents(root, me) {
  const [users, groups] = await Promise.all([api('GET', '/api/admin/users?limit=200'), api('GET', '/api/admin/groups')]);
  const notice = h('div');
  const editor = h('div');
  const reload = () => renderAgents(root, me);

  const create = apiForm([
    h('h2', {}, 'Add an agent'),
    h('div', { class: 'grid2' },
      field('E-mail', input('email', { type: 'email', required: true })),
      field('Name', input('name')),
      field('Role', select('role', me.user.role === 'owner' ? ROLES : ROLES.slice(0, 1), 'agent')),
      field('Max concurrent chats', input('max_chats', { type: 'number', min: 1, max: 100, value: '5' })),
    ),
    field('Groups', groupBoxes(groups), null, 'group_ids'),
  ], async (form) => {
    const v = Object.fromEntries(new FormData(form));
    const created = await api('POST', '/api/admin/users', {
      email: v.email,
      ...(v.name ? { name: v.name } : {}),
      role: v.role,
      max_chats: Number(v.max_chats),
      group_ids: checked(form),
    });
    await reload();
    showPassword(root, created.email, created.one_time_password);
  }, { submitText: 'Create agent', className: 'create-agent' });

  function edit(u) {
    const groupsHolder = h('div', { class: 'muted' }, 'Loading…');
    const form = apiForm([
      h('h2', {}, `Edit ${u.name || u.email}`),
      h('div', { class: 'grid2' },
        field('Name', input('name', { value: u.name })),
        field('Role', select('role', ROLES, u.role)),
        field('Max concurrent chats', input('max_chats', { type: 'number', min: 1, max: 100, value: String(u.max_chats) })),
      ),
      field('Groups', groupsHolder, null, 'group_ids'),
    ], async (f) => {
      const v = Object.fromEntries(new FormData(f));
      await api('PATCH', `/api/admin/users/${u.id}`, {
        name: v.name,
        ...(v.role !== u.role ? { role: v.role } : {}),
        max_chats: Number(v.max_chats),
        group_ids: checked(f),
      });
      await reload();
    }, { submitText: 'Save changes' });
    mount(editor, form);
    api('GET', `/api/admin/users/${u.id}`).then((d) => {
      groupsHolder.className = '';
      mount(groupsHolder, groupBoxes(groups, d.groups.map((g) => g.id)));
    });
    form.scrollIntoView({ behavior: 'smooth' });
  }

  async function act(fn) {
    try {
      await fn();
    } catch (e) {
      mount(notice, h('p', { class: 'error' }, e.message));
    }
  }

  const rows = users.items.map((u) => [
    h('div', {}, h('strong', {}, u.name || '—'), h('div', { class: 'muted' }, u.email)),
    u.role,
    h('span', {}, h('span', { class: `dot ${u.status}` }), ' ', u.status),
    String(u.max_chats),
    u.disabled ? h('span', { class: 'tag off' }, 'disabled') : h('span', { class: 'tag on' }, 'active'),
    u.id === me.user.id ? h('span', { class: 'muted' }, 'you') : h('div', { class: 'row-actions' },
      h('button', { onclick: () => edit(u) }, 'Edit'),
      h('button', { onclick: () => act(async () => {
        const r = await api('POST', `/api/admin/users/${u.id}/reset-password`);
        showPassword(root, u.email, r.one_time_password);
      }) }, 'Reset password'),
      h('button', { class: u.disabled ? '' : 'danger', onclick: () => act(async () => {
        await api('PATCH', `/api/admin/users/${u.id}`, { disabled: !u.disabled });
        await reload();
      }) }, u.disabled ? 'Enable' : 'Disable'),
    ),
  ]);
  mount(root, notice, h('div', { class: 'card' }, table(['Person', 'Role', 'Status', 'Max chats', 'Account', ''], rows)), editor, create);
}

function showPassword(root, email, password) {
  if (!password) return;
  root.prepend(secretBox(`One-time password for ${email}`, password,
    'Give it to them now: it is shown only this once. They choose their own at first sign-in.'));
}
