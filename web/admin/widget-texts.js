// The settings page's widget options: the typing preview, the pre-chat form and the widget's
// texts per language. Its controls have no form names: `read()` builds the API fields
// (typing_preview, prechat, default_language, languages) from them.

import { h, mount } from '../shared/dom.js';
import { field } from './form.js';

const ASK = [['off', 'Not asked'], ['optional', 'Optional'], ['required', 'Required']];
const TEXTS = [
  ['welcome_message', 'Welcome message', true], ['offline_message', 'Offline message', true],
  ['prechat_title', 'Pre-chat heading'], ['name_label', 'Name label'], ['email_label', 'E-mail label'],
  ['submit_label', 'Pre-chat button'],
];

const choose = (options, value, attrs = {}) =>
  h('select', attrs, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));

export function widgetTexts(s) {
  const prechat = structuredClone(s.prechat ?? { enabled: false, name: 'optional', email: 'optional', fields: [] });
  const languages = structuredClone(s.languages ?? {});
  let defaultLanguage = s.default_language || 'en';

  const typing = h('input', { type: 'checkbox', checked: !!s.typing_preview, 'aria-label': 'Typing preview' });
  const enabled = h('input', { type: 'checkbox', checked: !!prechat.enabled, 'aria-label': 'Show a pre-chat form',
    onchange: () => (prechat.enabled = enabled.checked) });
  const askName = choose(ASK, prechat.name, { 'aria-label': 'Name', onchange: (e) => (prechat.name = e.target.value) });
  const askEmail = choose(ASK, prechat.email, { 'aria-label': 'E-mail', onchange: (e) => (prechat.email = e.target.value) });
  const rows = h('div', { class: 'prechat-fields' });
  const codes = h('input', { value: Object.keys(languages).join(', '), placeholder: 'en, zh', 'aria-label': 'Languages',
    onchange: () => renderLanguages() });
  const defaultSel = h('select', { 'aria-label': 'Default language', onchange: (e) => (defaultLanguage = e.target.value) });
  const perLanguage = h('div', { class: 'languages' });

  function renderFields() {
    mount(rows, prechat.fields.map((f, i) => h('div', { class: 'prechat-field' },
      h('input', { value: f.key, placeholder: 'key', 'aria-label': 'Key', oninput: (e) => (f.key = e.target.value.trim()), onchange: () => renderLanguages(true) }),
      h('input', { value: f.label, placeholder: 'Label', 'aria-label': 'Label', oninput: (e) => (f.label = e.target.value) }),
      choose([['text', 'Text'], ['select', 'Choice']], f.type, { 'aria-label': 'Type', onchange: (e) => { f.type = e.target.value; if (f.type === 'text') f.options = []; renderFields(); } }),
      f.type === 'select' ? h('input', { value: f.options.join(', '), placeholder: 'Choices, comma separated', 'aria-label': 'Choices',
        oninput: (e) => (f.options = e.target.value.split(',').map((o) => o.trim()).filter(Boolean)) }) : null,
      h('label', { class: 'inline' }, h('input', { type: 'checkbox', checked: !!f.required, onchange: (e) => (f.required = e.target.checked) }), ' required'),
      h('button', { type: 'button', class: 'link', onclick: () => { prechat.fields.splice(i, 1); renderFields(); renderLanguages(true); } }, 'Remove'))),
    h('button', { type: 'button', class: 'secondary', onclick: () => { prechat.fields.push({ key: '', label: '', type: 'text', options: [], required: false }); renderFields(); } }, 'Add a field'));
  }

  const opened = new Set(); // languages whose texts the admin opened, kept across re-renders
  let shown = null;
  function renderLanguages(force = false) {
    const list = codes.value.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
    if (!force && shown === list.join()) return;
    shown = list.join();
    for (const code of Object.keys(languages)) if (!list.includes(code)) delete languages[code];
    for (const code of list) languages[code] ??= {};
    if (!list.includes(defaultLanguage) && list.length) defaultLanguage = list[0];
    mount(defaultSel, (list.length ? list : [defaultLanguage]).map((c) => h('option', { value: c, selected: c === defaultLanguage }, c)));
    mount(perLanguage, list.map((code) => {
      const texts = languages[code];
      texts.field_labels ??= {};
      return h('details', { class: 'language', open: list.length <= 2 || opened.has(code), dataset: { lang: code },
        ontoggle: (e) => (e.target.open ? opened.add(code) : opened.delete(code)) },
        h('summary', {}, `Texts in ${code}`),
        TEXTS.map(([key, label, long]) => h('label', { class: 'stack' }, label,
          h(long ? 'textarea' : 'input', { rows: long ? 2 : null, value: texts[key] ?? '', dataset: { text: key }, oninput: (e) => (texts[key] = e.target.value) }))),
        prechat.fields.filter((f) => f.key).map((f) => h('label', { class: 'stack' }, `Label of “${f.key}”`,
          h('input', { value: texts.field_labels[f.key] ?? '', placeholder: f.label, oninput: (e) => (texts.field_labels[f.key] = e.target.value) }))));
    }));
  }
  renderFields();
  renderLanguages();

  const el = [
    h('h2', {}, 'Conversation'),
    field('Typing preview', h('label', { class: 'inline' }, typing, ' Agents see what visitors type before they send it'),
      'The widget tells visitors when this is on. Off by default.', 'typing_preview'),
    field('Pre-chat form', h('div', { class: 'prechat' },
      h('label', { class: 'inline' }, enabled, ' Ask before the first message'),
      h('div', { class: 'grid2' }, h('label', { class: 'stack' }, 'Name', askName), h('label', { class: 'stack' }, 'E-mail', askEmail)),
      rows), 'Custom answers are stored as visitor attributes under their key (a-z, 0-9, _).', 'prechat'),
    h('h2', {}, 'Languages'),
    h('div', { class: 'grid2' },
      field('Enabled languages', codes, 'Codes like en, zh, zh-tw; the widget follows the visitor’s browser', 'languages'),
      field('Default language', defaultSel, 'Used when the browser’s language is not enabled', 'default_language')),
    perLanguage,
  ];

  function read() {
    const clean = Object.fromEntries(Object.entries(languages).map(([code, t]) => [code, {
      ...Object.fromEntries(TEXTS.map(([k]) => [k, t[k] ?? ''])),
      field_labels: Object.fromEntries(Object.entries(t.field_labels ?? {}).filter(([k, v]) => v && prechat.fields.some((f) => f.key === k))),
    }]));
    return { typing_preview: typing.checked, prechat, default_language: defaultLanguage, languages: clean };
  }
  return { el, read };
}
