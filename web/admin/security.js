// Sign-in rules for every account: the owner can require two-factor sign-in.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field } from './form.js';

export async function renderSecurity(root, me) {
  const policy = await api('GET', '/api/admin/security');
  const owner = me.user.role === 'owner';
  const require = h('input', { type: 'checkbox', name: 'require_two_factor', checked: policy.require_two_factor, disabled: !owner });
  const status = h('p', { class: 'form-note', role: 'status' });
  const form = apiForm([
    h('h2', {}, 'Two-factor sign-in'),
    field('Required for every account', h('label', { class: 'check' }, require, ' Require a code from an authenticator app at sign-in'),
      'Accounts without two-factor sign-in are asked to set it up at their next sign-in (or within 15 minutes), and can do nothing else until they have. Turn it on for your own account first (Profile in the workspace).'),
  ], async () => {
    const saved = await api('PUT', '/api/admin/security', { require_two_factor: require.checked });
    require.checked = saved.require_two_factor;
    status.textContent = saved.require_two_factor ? 'Two-factor sign-in is now required.' : 'Two-factor sign-in is now optional.';
  }, { submitText: 'Save', status });
  if (!owner) form.querySelector('button[type=submit]')?.setAttribute('disabled', '');
  mount(root,
    form,
    owner ? null : h('p', { class: 'muted small' }, 'Only an owner can change these rules.'));
}
