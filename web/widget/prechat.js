// The tenant's pre-chat form (settings.prechat): name, e-mail and custom fields, shown in
// place of the composer before the first message. The answers go to POST /api/visitor/prechat;
// a refused answer is shown next to its field and nothing is stored.
import { el } from './dom.js';
import { t } from './i18n.js';

export function prechatPanel(panel, { form: spec, texts, submit }) {
  const inputs = new Map(); // answer key → input
  const errors = new Map(); // answer key → error line
  const item = (key, label, input, required) => {
    input.name = key;
    if (required) input.required = true;
    const error = el('span', { class: 'field-error', role: 'alert' });
    inputs.set(key, input);
    errors.set(key, error);
    return el('label', {}, required ? `${label} *` : label, input, error);
  };
  const parts = [];
  if (texts.prechatTitle) parts.push(el('h3', { text: texts.prechatTitle }));
  if (spec.name !== 'off') parts.push(item('name', texts.name, el('input', { type: 'text', autocomplete: 'name', maxlength: '200' }), spec.name === 'required'));
  if (spec.email !== 'off') parts.push(item('email', texts.email, el('input', { type: 'email', autocomplete: 'email' }), spec.email === 'required'));
  for (const f of spec.fields || []) {
    const input = f.type === 'select'
      ? el('select', {}, el('option', { value: '', text: '—' }), ...f.options.map((o) => el('option', { value: o, text: o })))
      : el('input', { type: 'text', maxlength: '500' });
    parts.push(item(`fields.${f.key}`, texts.field(f), input, f.required));
  }
  const general = el('p', { class: 'field-error', role: 'alert' });
  const button = el('button', { class: 'primary', type: 'submit', text: texts.submit });
  const form = el('form', { class: 'panel-form prechat' }, ...parts, general, button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const x of errors.values()) x.textContent = '';
    general.textContent = '';
    const value = (k) => inputs.get(k)?.value.trim() || undefined;
    const fields = {};
    for (const f of spec.fields || []) { const v = value(`fields.${f.key}`); if (v) fields[f.key] = v; }
    button.disabled = true;
    try {
      await submit({ name: value('name'), email: value('email'), fields });
    } catch (err) {
      const shown = (err.fields || []).filter((f) => errors.has(f.field));
      for (const f of shown) errors.get(f.field).textContent = f.message;
      if (!shown.length) general.textContent = err.message || t.reconnecting;
      button.disabled = false;
    }
  });
  panel.replaceChildren(form);
  panel.hidden = false;
  form.querySelector('input, select')?.focus();
}
