// The profile: your name (and the initials of your avatar), your password, two-factor sign-in,
// and this browser's
// notification and sound settings. Opens as a dialog over the workspace.

import { h } from '../shared/dom.js';
import { api, login } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import { state, changed } from './state.js';
import { prefs, setPref, initials } from './prefs.js';
import { beep } from './alerts.js';
import { twoFactorSection } from './two-factor.js';

function fieldErrors(e) {
  return e.fields?.map((f) => f.message).join(' ') || e.message;
}

function nameSection() {
  const avatar = h('span', { class: 'avatar big', 'aria-hidden': 'true' }, initials(state.me.name || state.me.email));
  const name = h('input', { name: 'name', value: state.me.name ?? '', required: true, maxlength: 200, autocomplete: 'name',
    oninput: () => { avatar.textContent = initials(name.value.trim() || state.me.email); } });
  const note = h('p', { class: 'form-note', role: 'status' });
  const form = h('form', {
    class: 'profile-name',
    onsubmit: async (ev) => {
      ev.preventDefault();
      note.textContent = '';
      try {
        const user = await api('PATCH', '/api/auth/me', { name: name.value });
        state.me = { ...state.me, ...user };
        name.value = user.name;
        note.textContent = t('profile.saved');
        changed();
      } catch (e) {
        note.textContent = fieldErrors(e);
      }
    },
  },
    h('h4', {}, t('profile.you')),
    h('div', { class: 'profile-who' }, avatar, h('div', {}, h('div', { class: 'muted' }, state.me.email), h('div', { class: 'muted' }, t(`role.${state.me.role}`)))),
    h('label', {}, t('profile.name'), name),
    h('p', { class: 'muted small' }, t('profile.nameHint')),
    h('button', { class: 'primary', type: 'submit' }, t('profile.saveName')),
    note,
  );
  return form;
}

function passwordSection() {
  const current = h('input', { type: 'password', name: 'current_password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', required: true, minlength: 8 });
  const note = h('p', { class: 'form-note', role: 'status' });
  return h('form', {
    class: 'profile-password',
    onsubmit: async (ev) => {
      ev.preventDefault();
      note.textContent = '';
      try {
        await api('POST', '/api/auth/password', { current_password: current.value, new_password: next.value });
        // The change ends every session of the account: sign this one in again with the new password.
        await login(state.me.email, next.value);
        current.value = '';
        next.value = '';
        note.textContent = t('profile.passwordChanged');
      } catch (e) {
        note.textContent = fieldErrors(e);
      }
    },
  },
    h('h4', {}, t('profile.password')),
    h('label', {}, t('profile.currentPassword'), current),
    h('label', {}, t('profile.newPassword'), next),
    h('button', { class: 'primary', type: 'submit' }, t('profile.changePassword')),
    note,
  );
}

function alertsSection() {
  const p = prefs();
  const permission = () => ('Notification' in window ? Notification.permission : 'unsupported');
  const state_ = h('span', { class: 'muted small' }, t(`profile.permission.${permission()}`));
  const box = (name, label) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name, checked: p[name], onchange: (ev) => setPref(name, ev.target.checked) }), label);
  return h('div', { class: 'profile-alerts' },
    h('h4', {}, t('profile.alerts')),
    h('p', { class: 'muted small' }, t('profile.alertsHint')),
    box('notify', t('profile.notify')),
    h('div', { class: 'row-inline' }, state_,
      permission() === 'default' ? h('button', { type: 'button', onclick: async () => {
        await Notification.requestPermission().catch(() => {});
        state_.textContent = t(`profile.permission.${permission()}`);
      } }, t('profile.allow')) : null),
    box('sound', t('profile.sound')),
    h('button', { type: 'button', onclick: beep }, t('profile.testSound')),
  );
}

/** Opens the profile dialog. */
export function openProfile() {
  const dialog = h('dialog', { class: 'modal profile', 'aria-label': t('profile.title') },
    h('div', { class: 'modal-form' },
      h('div', { class: 'profile-head' }, h('h3', {}, t('profile.title')),
        h('button', { type: 'button', class: 'link', onclick: () => dialog.close() }, t('profile.done'))),
      nameSection(),
      passwordSection(),
      twoFactorSection(),
      alertsSection(),
    ));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
