// Builds the widget's DOM inside its shadow root and returns the parts the app drives.
import { el, icon, ICONS, initials } from './dom.js';
import { t } from './i18n.js';

export function buildView(root, title) {
  const badge = el('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
  const launcher = el('button', { class: 'launcher', 'aria-label': t.open, 'aria-expanded': 'false' }, icon(ICONS.chat), badge);
  const muteBtn = el('button', { class: 'mute', 'aria-label': t.mute });
  const closeBtn = el('button', { class: 'close', 'aria-label': t.close }, icon(ICONS.close));
  const mailBtn = el('button', { class: 'transcript', 'aria-label': t.transcript, title: t.transcript, hidden: true }, icon(ICONS.mail));
  const mailBar = el('form', { class: 'transcript-bar', hidden: true });
  const titleEl = el('h2', { id: 'uc-title', text: title });
  const headerAvatar = el('span', { class: 'avatar', 'aria-hidden': 'true', text: initials(title) });
  const header = el('header', {}, headerAvatar, titleEl, mailBtn, muteBtn, closeBtn);
  const status = el('div', { class: 'status', role: 'status' });
  const list = el('div', { class: 'list', role: 'log', 'aria-live': 'polite', 'aria-label': t.messages });
  const typingText = el('span', { class: 'typing-text', text: ' ' + t.typing });
  const typing = el('div', { class: 'typing', hidden: true },
    el('span', { class: 'dots', 'aria-hidden': 'true' }, el('span'), el('span'), el('span')), typingText);
  // While the bots answer (state `bot`): the way to a person.
  const humanBtn = el('button', { type: 'button', class: 'human', hidden: true, text: t.human });
  const input = el('textarea', { rows: '1', placeholder: t.placeholder, 'aria-label': t.placeholder });
  const sendBtn = el('button', { class: 'primary', type: 'submit', text: t.send });
  const fileInput = el('input', { type: 'file', multiple: true, hidden: true, class: 'file-input' });
  const attachBtn = el('button', { type: 'button', class: 'attach', 'aria-label': t.attach, title: t.attach }, icon(ICONS.clip));
  const uploads = el('div', { class: 'uploads', hidden: true, 'aria-live': 'polite' });
  const composer = el('form', { class: 'composer' }, attachBtn, fileInput, input, sendBtn);
  const panel = el('div', { class: 'panel', hidden: true });
  const win = el('section', { class: 'window', role: 'dialog', 'aria-labelledby': 'uc-title', hidden: true },
    header, mailBar, status, list, typing, humanBtn, uploads, composer, panel);
  root.append(win, launcher);
  return { mailBtn, mailBar, headerAvatar, launcher, badge, win, titleEl, muteBtn, closeBtn, status, list, typing, typingText, humanBtn, input, composer, panel, fileInput, attachBtn, uploads };
}

export function setMuteIcon(btn, muted) {
  btn.replaceChildren(icon(muted ? ICONS.muted : ICONS.sound));
  btn.setAttribute('aria-label', muted ? t.unmute : t.mute);
  btn.setAttribute('aria-pressed', String(muted));
}
