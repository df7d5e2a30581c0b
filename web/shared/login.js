// The sign-in card shared by the workspace and the console.

import { h, mount } from './dom.js';
import { login, ApiError } from './api.js';
import { t } from './i18n.js';

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
          resolve(await login(email.value.trim(), password.value));
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
