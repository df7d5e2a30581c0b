// API tokens for integrations: created with scopes, the secret shown once, revoked at will.

import { h, mount, dateTime } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, table, secretBox } from './form.js';

// The permissions an API token may carry (docs/api.md, "API token scope").
const SCOPES = [
  'users:read', 'users:write', 'groups:read', 'groups:write', 'quick_replies:read', 'quick_replies:write',
  'blacklist:read', 'blacklist:write', 'settings:read', 'settings:write', 'audit:read',
  'events:write', 'conversations:read', 'conversations:write', 'visitors:read',
  'visitors:export', 'visitors:erase',
];

export async function renderTokens(root, me, fresh = null) {
  const tokens = await api('GET', '/api/admin/api-tokens');
  const reload = (created) => renderTokens(root, me, created);
  const rows = tokens.map((t) => [
    h('strong', {}, t.name),
    h('span', { class: 'scopes' }, t.scopes.map((s) => h('span', { class: 'tag' }, s))),
    dateTime(t.created_at),
    t.last_used_at ? dateTime(t.last_used_at) : 'never',
    t.revoked_at ? h('span', { class: 'tag off' }, 'revoked') : h('button', { class: 'danger', onclick: async () => {
      await api('DELETE', `/api/admin/api-tokens/${t.id}`);
      await reload();
    } }, 'Revoke'),
  ]);
  const create = apiForm([
    h('h2', {}, 'New token'),
    field('Name', input('name', { required: true, placeholder: 'CRM sync' })),
    field('Scopes', h('div', { class: 'checks' }, SCOPES.map((s) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'scopes', value: s }), s))), null, 'scopes'),
  ], async (form) => {
    const scopes = [...form.querySelectorAll('input[name=scopes]:checked')].map((i) => i.value);
    const created = await api('POST', '/api/admin/api-tokens', { name: new FormData(form).get('name'), scopes });
    await reload(created);
  }, { submitText: 'Create token' });
  mount(root,
    fresh ? secretBox(`Token “${fresh.name}”`, fresh.secret, 'Copy it now: it is shown only this once.') : null,
    h('div', { class: 'card' }, table(['Name', 'Scopes', 'Created', 'Last used', ''], rows, 'No tokens yet.')),
    create);
}
