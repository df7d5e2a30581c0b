// A short message at the bottom of the screen for errors that belong to no field.

import { h } from '../shared/dom.js';

export function toast(text, kind = 'error') {
  const el = h('div', { class: `toast ${kind}`, role: 'status' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 5000);
}
