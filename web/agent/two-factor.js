// The profile's two-factor sign-in section: enrol with a QR code (an authenticator app reads
// it), confirm with a code, see the recovery codes once; or turn it off.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';

function problem(e) {
  return e.fields?.map((f) => `${f.field}: ${f.message}`).join(' ') || e.message;
}

/** The section; it reads the account's current state itself. */
export function twoFactorSection() {
  const body = h('div', {});
  const section = h('div', { class: 'profile-2fa' }, h('h4', {}, 'Two-factor sign-in'), body);
  const note = h('p', { class: 'form-note', role: 'status' });

  const showOff = () => mount(body, h('div', {},
    h('p', { class: 'muted small' }, 'Off. Turn it on to be asked for a code from an authenticator app when you sign in.'),
    h('button', { type: 'button', class: 'primary enrol-2fa', onclick: enrol }, 'Set up two-factor sign-in'),
    note));

  const showOn = (codes) => {
    const password = h('input', { type: 'password', name: 'password_2fa', autocomplete: 'current-password', required: true });
    const code = h('input', { name: 'code_2fa', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, placeholder: '123456 or a recovery code' });
    mount(body, h('div', {},
      h('p', { class: 'muted small two-factor-on' }, 'On: signing in asks for a code from your authenticator app.'),
      codes ? h('div', { class: 'recovery-codes' },
        h('p', { class: 'small' }, 'Recovery codes — each works once if you lose your phone. Save them now; they are not shown again.'),
        h('pre', {}, codes.join('\n'))) : null,
      h('form', { class: 'disable-2fa', onsubmit: async (ev) => {
        ev.preventDefault();
        note.textContent = '';
        const value = code.value.trim();
        const proof = /^\d{3} ?\d{3}$/.test(value) ? { code: value } : { recovery_code: value };
        try {
          await api('POST', '/api/auth/2fa/disable', { password: password.value, ...proof });
          showOff();
        } catch (e) {
          note.textContent = problem(e);
        }
      } },
        h('label', {}, 'Password', password),
        h('label', {}, 'Code', code),
        h('button', { type: 'submit' }, 'Turn two-factor sign-in off')),
      note));
  };

  async function enrol() {
    note.textContent = '';
    try {
      const s = await api('POST', '/api/auth/2fa/setup');
      const code = h('input', { name: 'enable_code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, pattern: '[0-9 ]{6,7}', placeholder: '123456' });
      mount(body, h('form', { class: 'enable-2fa', onsubmit: async (ev) => {
        ev.preventDefault();
        note.textContent = '';
        try {
          const r = await api('POST', '/api/auth/2fa/enable', { code: code.value });
          showOn(r.recovery_codes);
        } catch (e) {
          note.textContent = problem(e);
        }
      } },
        h('p', { class: 'muted small' }, 'Scan this code with an authenticator app, then type the 6-digit code it shows.'),
        h('img', { class: 'qr', alt: 'QR code for your authenticator app', width: 200, height: 200,
          src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(s.qr_svg)}` }),
        h('p', { class: 'muted small' }, 'Or type this key: ', h('code', { class: 'secret' }, s.secret)),
        h('label', {}, 'Code', code),
        h('button', { class: 'primary', type: 'submit' }, 'Turn on'),
        note));
      code.focus();
    } catch (e) {
      note.textContent = problem(e);
    }
  }

  api('GET', '/api/auth/me').then((me) => (me.two_factor_enabled ? showOn() : showOff()), (e) => { note.textContent = problem(e); });
  return section;
}
