// The sign-in card shared by the workspace and the console.

import { h, mount } from './dom.js';
import { login, verifyTwoFactor, api, ApiError } from './api.js';
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
    mount(root, h('div', { class: 'login' }, form));
    email.focus();
  });
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
