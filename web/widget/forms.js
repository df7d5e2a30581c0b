// The panels shown instead of the composer: the offline form (e-mail + message), the optional
// pre-chat form (name, e-mail) and the rating after a conversation is closed.
import { el } from './dom.js';
import { t } from './i18n.js';

export function offlineForm(panel, text, onSubmit) {
  const email = el('input', { type: 'email', required: true, autocomplete: 'email', name: 'email' });
  const message = el('textarea', { required: true, rows: '3', name: 'message' });
  const form = el('form', { class: 'panel-form' },
    el('h3', { text: t.offlineTitle }), text ? el('p', { text }) : null,
    el('label', {}, t.email, email), el('label', {}, t.message, message),
    el('button', { class: 'primary', type: 'submit', text: t.leaveMessage }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onSubmit({ email: email.value.trim(), message: message.value.trim() });
  });
  show(panel, form);
  email.focus();
}

export function prechatForm(panel, onSubmit) {
  const name = el('input', { type: 'text', autocomplete: 'name', name: 'name' });
  const email = el('input', { type: 'email', autocomplete: 'email', name: 'email' });
  const form = el('form', { class: 'panel-form' }, el('label', {}, t.name, name), el('label', {}, t.email, email),
    el('button', { class: 'primary', type: 'submit', text: t.start }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onSubmit({ name: name.value.trim() || undefined, email: email.value.trim() || undefined });
  });
  show(panel, form);
  name.focus();
}

export function ratingForm(panel, onSubmit) {
  let rating = 0;
  const stars = [1, 2, 3, 4, 5].map((n) => el('button', {
    type: 'button', text: '★', 'aria-label': t.star(n), 'aria-pressed': 'false',
    onclick: () => { rating = n; stars.forEach((s, i) => s.setAttribute('aria-pressed', String(i < n))); submit.disabled = false; },
  }));
  const comment = el('textarea', { rows: '2', name: 'comment' });
  const submit = el('button', { class: 'primary', type: 'submit', text: t.submitRating, disabled: true });
  const form = el('form', { class: 'panel-form' }, el('h3', { text: t.rate }),
    el('div', { class: 'stars', role: 'group', 'aria-label': t.rate }, ...stars),
    el('label', {}, t.comment, comment), submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (rating) onSubmit(rating, comment.value.trim());
  });
  show(panel, form);
  stars[0].focus();
}

/** After the offline form: the one thing shown, no queue and no live box. */
export function offlineSent(panel, email) {
  show(panel, el('p', { class: 'offline-sent', role: 'status', text: t.offlineSent(email) }));
}

export function thanks(panel) {
  show(panel, el('p', { text: t.thanks }));
}

function show(panel, content) {
  panel.replaceChildren(content);
  panel.hidden = false;
}
