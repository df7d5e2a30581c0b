// The sign-in card shared by the workspace and the console.

import { h, mount } from './dom.js';
import { login, verifyTwoFactor, api, ApiError, ssoExchange, ssoButton, knownTenant } from './api.js';
import { t } from './i18n.js';
import { enrolTwoFactor } from './enrol.js';

/** Shows the form in `root`; resolves with the session once the user signed in. */
export function showLogin(root, { heading = t('login.title'), message = '' } = {}) {
  return new Promise((resolve) => {
    const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
    const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
    const error = h('div', { class: 'error', role: 'alert' }, message);
    const button = h('button', { class: 'primary', type: 'submit' }, t('login.submit'));
    const form = h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        button.disabled = true;
        error.textContent = '';
        try {
          let s;
          let tenant;
          try {
            s = await login(email.value.trim(), password.value);
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 'tenant_required')) throw e;
            // The e-mail and password match accounts in several tenants: the person picks one.
            tenant = await pickTenant(root, e.tenants);
            s = await login(email.value.trim(), password.value, tenant);
          }
          if (s.two_factor_required) s = await askCode(root, s.challenge);
          if (s.user.must_change_password) s = await choosePassword(root, s.user.email, password.value, tenant);
          if (s.two_factor_enrolment_required) s = await enrolTwoFactor(root);
          resolve(s);
        } catch (e) {
          error.textContent = e instanceof ApiError && e.status === 401 ? t('login.failed') : e.message;
        } finally {
          button.disabled = false;
        }
      },
    },
      h('h1', {}, heading),
      h('label', {}, t('login.email'), email),
      h('label', {}, t('login.password'), password),
      button,
      error,
    );
    const sso = h('div', { class: 'sso' });
    form.append(sso);
    mount(root, h('div', { class: 'login' }, form));
    email.focus();
    offerSso(sso);
    finishSso(root, error).then((s) => s && resolve(s));
  });
}

/** Adds "Sign in with …" when the tenant (from `?tenant=` or the last sign-in) has single sign-on. */
async function offerSso(slot) {
  const tenant = knownTenant();
  if (!tenant) return;
  try {
    const b = await ssoButton(tenant);
    if (!b.enabled) return;
    const app = location.pathname.startsWith('/admin') ? 'admin' : 'agent';
    slot.append(
      h('div', { class: 'or muted' }, t('login.or')),
      h('a', { class: 'button sso-button', href: `${b.start_url}?app=${app}` }, t('login.sso', { name: b.display_name })));
  } catch {
    // No button: the password form still works.
  }
}

/**
 * Back from the provider: `#sso=<one-time code>` is traded for the session (then the second
 * factor or enrolment as after a password); `#sso_error=` is shown. The fragment is removed
 * at once so the code stays out of the history.
 */
async function finishSso(root, error) {
  const params = new URLSearchParams(location.hash.slice(1));
  const code = params.get('sso');
  const failed = params.get('sso_error');
  if (!code && !failed) return null;
  history.replaceState(null, '', location.pathname + location.search);
  if (failed) {
    error.textContent = t('login.ssoFailed', { reason: params.get('sso_message') || failed });
    return null;
  }
  try {
    let s = await ssoExchange(code);
    if (s.two_factor_required) s = await askCode(root, s.challenge);
    if (s.two_factor_enrolment_required) s = await enrolTwoFactor(root);
    return s;
  } catch (e) {
    error.textContent = t('login.ssoFailed', { reason: e.message });
    return null;
  }
}

/** Two-factor sign-in: asks for the app's code (or a recovery code) until one works. */
function askCode(root, challenge) {
  return new Promise((resolve) => {
    const code = h('input', { name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, placeholder: '123456' });
    const error = h('div', { class: 'error', role: 'alert' });
    const button = h('button', { class: 'primary', type: 'submit' }, t('login.verify'));
    const form = h('form', {
      class: 'two-factor',
      onsubmit: async (ev) => {
        ev.preventDefault();
        button.disabled = true;
        error.textContent = '';
        const value = code.value.trim();
        const proof = /^\d{3} ?\d{3}$/.test(value) ? { code: value } : { recovery_code: value };
        try {
          resolve(await verifyTwoFactor(challenge, proof));
        } catch (e) {
          error.textContent = e instanceof ApiError && e.status === 401 ? t('login.codeFailed') : e.message;
        } finally {
          button.disabled = false;
        }
      },
    },
      h('h1', {}, t('login.codeTitle')),
      h('p', { class: 'muted' }, t('login.codeHint')),
      h('label', {}, t('login.code'), code),
      button,
      error,
    );
    mount(root, h('div', { class: 'login' }, form));
    code.focus();
  });
}

/** Several tenants have an account with this e-mail and password: resolves with the chosen id. */
function pickTenant(root, tenants) {
  return new Promise((resolve) => {
    const buttons = tenants.map((tn) =>
      h('button', { type: 'button', class: 'tenant-choice', 'data-tenant': tn.id, onclick: () => resolve(tn.id) }, tn.name));
    mount(root, h('div', { class: 'login' },
      h('form', { class: 'pick-tenant', onsubmit: (ev) => ev.preventDefault() },
        h('h1', {}, t('login.pick_tenant')),
        h('p', { class: 'muted' }, t('login.pick_tenant_hint')),
        ...buttons,
      )));
    buttons[0]?.focus();
  });
}

/** After a one-time password: the person picks their own, then is signed in with it. */
function choosePassword(root, email, current, tenant) {
  return new Promise((resolve) => {
    const next = h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', required: true, minlength: 8 });
    const error = h('div', { class: 'error', role: 'alert' });
    const form = h('form', {
      class: 'choose-password',
      onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        try {
          await api('POST', '/api/auth/password', { current_password: current, new_password: next.value });
          // Changing the password ends the other sessions, so sign in afresh with the new one.
          resolve(await login(email, next.value, tenant));
        } catch (e) {
          error.textContent = e.fields?.map((f) => f.message).join(' ') || e.message;
        }
      },
    },
      h('h1', {}, 'Choose your password'),
      h('p', { class: 'muted' }, 'You signed in with a one-time password. Pick your own to continue.'),
      h('label', {}, 'New password', next),
      h('button', { class: 'primary', type: 'submit' }, 'Save and continue'),
      error,
    );
    mount(root, h('div', { class: 'login' }, form));
    next.focus();
  });
}
