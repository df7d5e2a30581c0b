// Single sign-on with the tenant's OpenID Connect provider: issuer, client, provisioning rules.
// The client secret is write-only: the page only says whether one is stored.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, select } from './form.js';

export async function renderSso(root, me) {
  const s = await api('GET', '/api/admin/sso');
  const canWrite = me.permissions.includes('settings:write');
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: s.enabled });
  const displayName = input('display_name', { value: s.display_name, placeholder: 'Okta', maxlength: 100 });
  const issuer = input('issuer', { value: s.issuer, placeholder: 'https://example.okta.com', type: 'url' });
  const clientId = input('client_id', { value: s.client_id });
  const secret = input('client_secret', { type: 'password', autocomplete: 'off',
    placeholder: s.has_client_secret ? 'stored — leave empty to keep it' : 'none stored' });
  const scopes = input('scopes', { value: s.scopes });
  const provision = h('input', { type: 'checkbox', name: 'auto_provision', checked: s.auto_provision });
  const role = select('default_role', [['agent', 'Agent'], ['admin', 'Admin']], s.default_role);
  const domains = input('allowed_domains', { value: s.allowed_domains.join(' '), placeholder: 'example.com' });
  const status = h('p', { class: 'form-note', role: 'status' });
  const signInLink = `${location.origin}/agent?tenant=${encodeURIComponent(me.tenant.id)}`;

  const form = apiForm([
    h('h2', {}, 'Single sign-on (OpenID Connect)'),
    h('p', { class: 'muted small' }, 'Register this redirect URI at your provider: ',
      h('code', { class: 'redirect-uri' }, s.redirect_uri)),
    field('Enabled', h('label', { class: 'check' }, enabled, ' Offer "Sign in with …" on the login page'), null, 'enabled'),
    field('Button label', displayName, 'The button says "Sign in with <label>".'),
    field('Issuer URL', issuer, 'Its /.well-known/openid-configuration is checked when you save.'),
    field('Client ID', clientId),
    field('Client secret', secret, 'Write-only: it is never shown again.'),
    field('Scopes', scopes, 'Space-separated; openid is always asked for, email is needed.'),
    field('Provisioning', h('label', { class: 'check' }, provision, ' Create an account for a verified e-mail that has none'), null, 'auto_provision'),
    field('Role of new accounts', role),
    field('Allowed e-mail domains', domains, 'Space-separated; empty allows any domain.'),
  ], async () => {
    const body = {
      enabled: enabled.checked,
      display_name: displayName.value,
      issuer: issuer.value,
      client_id: clientId.value,
      scopes: scopes.value,
      auto_provision: provision.checked,
      default_role: role.value,
      allowed_domains: domains.value.split(/[\s,]+/).filter(Boolean),
    };
    if (secret.value) body.client_secret = secret.value;
    const saved = await api('PUT', '/api/admin/sso', body);
    secret.value = '';
    secret.placeholder = saved.has_client_secret ? 'stored — leave empty to keep it' : 'none stored';
    status.textContent = saved.enabled ? 'Saved: single sign-on is on.' : 'Saved: single sign-on is off.';
  }, { submitText: 'Save', status });
  if (!canWrite) form.querySelector('button[type=submit]')?.setAttribute('disabled', '');
  mount(root, form,
    h('p', { class: 'muted small' }, 'Share the sign-in link so the login page shows the button: ',
      h('code', {}, signInLink)));
}
