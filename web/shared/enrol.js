// Enrolment forced by the tenant: the owner requires two-factor sign-in and this account has
// none yet, so the session it signed in with may only set it up. Scan, confirm with a code, save
// the recovery codes, then trade the limited session for a full one.

import { h, mount } from './dom.js';
import { api, refresh, session } from './api.js';
import { t } from './i18n.js';

function problem(e) {
  return e.fields?.map((f) => f.message).join(' ') || e.message;
}

/** Runs the enrolment in `root`; resolves with the full session once it is on. */
export async function enrolTwoFactor(root) {
  const setup = await api('POST', '/api/auth/2fa/setup');
  const codes = await new Promise((resolve) => {
    const code = h('input', { name: 'enrol_code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, placeholder: '123456' });
    const error = h('div', { class: 'error', role: 'alert' });
    const button = h('button', { class: 'primary', type: 'submit' }, t('enrol.turnOn'));
    const form = h('form', {
      class: 'enrol-2fa',
      onsubmit: async (ev) => {
        ev.preventDefault();
        button.disabled = true;
        error.textContent = '';
        try {
          resolve((await api('POST', '/api/auth/2fa/enable', { code: code.value.trim() })).recovery_codes);
        } catch (e) {
          error.textContent = problem(e);
        } finally {
          button.disabled = false;
        }
      },
    },
      h('h1', {}, t('enrol.title')),
      h('p', { class: 'muted' }, t('enrol.hint')),
      h('img', { class: 'qr', alt: t('enrol.qrAlt'), width: 200, height: 200,
        src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qr_svg)}` }),
      h('p', { class: 'muted small' }, t('enrol.key'), ' ', h('code', { class: 'secret' }, setup.secret)),
      h('label', {}, t('login.code'), code),
      button,
      error,
    );
    mount(root, h('div', { class: 'login' }, form));
    code.focus();
  });
  await new Promise((resolve) => {
    const done = h('button', { class: 'primary', type: 'button', onclick: resolve }, t('enrol.continue'));
    mount(root, h('div', { class: 'login' },
      h('form', { class: 'enrol-codes', onsubmit: (ev) => ev.preventDefault() },
        h('h1', {}, t('enrol.codesTitle')),
        h('p', { class: 'muted' }, t('enrol.codesHint')),
        h('pre', { class: 'recovery-codes' }, codes.join('\n')),
        done)));
    done.focus();
  });
  // Two-factor is on now: the refreshed session opens the whole API.
  await refresh();
  return session();
}
