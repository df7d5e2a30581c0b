// Form helpers for the console: a labelled field, reading values, and showing the API's
// `error.fields` under the matching inputs (the rest goes to the form's general error line).

import { h } from '../shared/dom.js';

/** A label with its control; `name` ties it to the API field of the same name. */
export function field(label, control, hint, name = control.name) {
  return h('div', { class: 'field', dataset: { field: name ?? '' } },
    h('label', {}, label), control, hint ? h('div', { class: 'hint muted' }, hint) : null,
    h('div', { class: 'field-error', role: 'alert' }));
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error, .form-error')) el.textContent = '';
  for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
}

/** Puts each `{field, message}` next to its field; unmatched ones and the message go on top. */
export function showErrors(form, error) {
  clearErrors(form);
  const general = form.querySelector('.form-error');
  const left = [];
  for (const f of error.fields ?? []) {
    const name = String(f.field).split(/[.[]/)[0];
    const box = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    if (box) {
      box.querySelector('.field-error').textContent = f.message;
      box.querySelector('input, select, textarea')?.classList.add('invalid');
    } else {
      left.push(`${f.field}: ${f.message}`);
    }
  }
  if (general && (left.length || !(error.fields ?? []).length)) general.textContent = left.join('; ') || error.message;
}

/** A form whose submit calls `action(form)`; errors from the API land next to the fields. */
export function apiForm(children, action, { submitText = 'Save', className = '', status = null } = {}) {
  const button = h('button', { class: 'primary', type: 'submit' }, submitText);
  const form = h('form', {
    class: `card form ${className}`,
    novalidate: true, // the server's field errors are clearer than the browser's bubbles
    onsubmit: async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      button.disabled = true;
      try {
        await action(form);
      } catch (e) {
        showErrors(form, e);
      } finally {
        button.disabled = false;
      }
    },
  }, children, h('div', { class: 'form-error error', role: 'alert' }), h('div', { class: 'form-actions' }, button, status));
  return form;
}

export const input = (name, attrs = {}) => h('input', { name, ...attrs });

export function select(name, options, value) {
  return h('select', { name }, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

/** A simple table: headers and rows of cells (strings or nodes). */
export function table(headers, rows, empty = 'Nothing yet.') {
  if (!rows.length) return h('p', { class: 'muted empty' }, empty);
  return h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
  );
}

/** A box that shows a secret once, with a Copy button. */
export function secretBox(title, secret, note) {
  const code = h('code', { class: 'secret-value' }, secret);
  return h('div', { class: 'secret card' },
    h('strong', {}, title),
    h('div', { class: 'secret-row' }, code, copyButton(() => secret)),
    h('p', { class: 'muted' }, note),
  );
}

export function copyButton(text) {
  const b = h('button', {
    type: 'button',
    class: 'copy',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text());
        b.textContent = 'Copied';
      } catch {
        b.textContent = 'Select and copy';
      }
      setTimeout(() => (b.textContent = 'Copy'), 2000);
    },
  }, 'Copy');
  return b;
}
