// Blacklist: block an IP address, a CIDR block or a visitor, with a reason and an optional
// expiry; lift a block. A new entry also cuts the matching live connections.

import { h, mount, dateTime } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, select, table } from './form.js';

export async function renderBlacklist(root) {
  const list = await api('GET', '/api/admin/blacklist?limit=200');
  const reload = () => renderBlacklist(root);
  const rows = list.items.map((b) => [
    h('span', { class: 'tag' }, b.kind),
    h('code', {}, b.value),
    b.reason || h('span', { class: 'muted' }, '—'),
    b.expires_at ? dateTime(b.expires_at) : 'never',
    b.active ? h('span', { class: 'tag on' }, 'active') : h('span', { class: 'tag off' }, 'expired'),
    h('button', { onclick: async () => {
      await api('DELETE', `/api/admin/blacklist/${b.id}`);
      await reload();
    } }, 'Lift'),
  ]);
  const create = apiForm([
    h('h2', {}, 'Block'),
    h('div', { class: 'grid2' },
      field('Kind', select('kind', [['ip', 'IP address'], ['cidr', 'CIDR block'], ['visitor', 'Visitor id']], 'ip')),
      field('Value', input('value', { required: true, placeholder: '203.0.113.7 or 203.0.113.0/24' })),
      field('Reason', input('reason', { placeholder: 'Spam' })),
      field('Expires', input('expires_at', { type: 'datetime-local' }), 'Empty: never'),
    ),
  ], async (form) => {
    const v = Object.fromEntries(new FormData(form));
    await api('POST', '/api/admin/blacklist', {
      kind: v.kind,
      value: v.value.trim(),
      reason: v.reason,
      // datetime-local is the admin's local time; the API wants UTC.
      ...(v.expires_at ? { expires_at: new Date(v.expires_at).toISOString() } : {}),
    });
    await reload();
  }, { submitText: 'Add to blacklist', className: 'create-block' });
  mount(root, h('div', { class: 'card' }, table(['Kind', 'Value', 'Reason', 'Expires', 'State', ''], rows, 'Nobody is blocked.')), create);
}
