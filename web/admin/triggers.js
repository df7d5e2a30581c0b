// Proactive triggers: "on a page for N seconds → open the widget with this message", at most
// once per visitor per day, optionally only while an agent is available or within business hours.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, select, table } from './form.js';

const check = (name, label, checked) =>
  h('label', { class: 'check' }, h('input', { type: 'checkbox', name, checked: !!checked }), ` ${label}`);

export async function renderTriggers(root) {
  const triggers = await api('GET', '/api/admin/triggers');
  const reload = () => renderTriggers(root);
  const editor = h('div');

  function form(tr) {
    return apiForm([
      h('h2', {}, tr ? `Edit “${tr.name}”` : 'New trigger'),
      h('div', { class: 'grid2' },
        field('Name', input('name', { required: true, placeholder: 'Help at checkout', value: tr?.name ?? '' })),
        field('Sender name', input('sender_name', { required: true, placeholder: 'Shop assistant', value: tr?.sender_name ?? '' }), 'Shown beside the message'),
        field('Page URL', select('url_match', [['contains', 'contains'], ['equals', 'equals']], tr?.url_match ?? 'contains')),
        field('Value', input('url_value', { required: true, placeholder: '/checkout', value: tr?.url_value ?? '' })),
        field('Seconds on the page', input('seconds', { type: 'number', min: 0, max: 3600, required: true, value: String(tr?.seconds ?? 30) })),
      ),
      field('Message', h('textarea', { name: 'message', rows: 3, required: true, value: tr?.message ?? '' })),
      h('div', { class: 'checks' },
        check('only_when_available', 'Only when an agent is available', tr?.only_when_available),
        check('only_within_hours', 'Only within business hours', tr?.only_within_hours),
        check('enabled', 'Enabled', tr ? tr.enabled : true)),
    ], async (f) => {
      const v = Object.fromEntries(new FormData(f));
      const body = {
        name: v.name, sender_name: v.sender_name, url_match: v.url_match, url_value: v.url_value,
        seconds: Number(v.seconds), message: v.message,
        only_when_available: v.only_when_available === 'on', only_within_hours: v.only_within_hours === 'on',
        enabled: v.enabled === 'on',
      };
      if (tr) await api('PUT', `/api/admin/triggers/${tr.id}`, body);
      else await api('POST', '/api/admin/triggers', body);
      await reload();
    }, { submitText: tr ? 'Save' : 'Add trigger' });
  }

  const rows = triggers.map((tr) => [
    h('strong', {}, tr.name),
    h('code', {}, `${tr.url_match} ${tr.url_value}`),
    `${tr.seconds} s`,
    h('span', { class: 'clip' }, tr.message),
    tr.enabled ? 'on' : 'off',
    h('div', { class: 'row-actions' },
      h('button', { onclick: () => mount(editor, form(tr)) }, 'Edit'),
      h('button', { class: 'danger', onclick: async () => {
        await api('DELETE', `/api/admin/triggers/${tr.id}`);
        await reload();
      } }, 'Delete'),
    ),
  ]);
  mount(root,
    h('div', { class: 'card' },
      h('p', { class: 'muted' }, 'A trigger opens the widget with its message when a visitor has been on a matching page for the given time — at most once per visitor per day, and never during a conversation.'),
      table(['Name', 'Page', 'After', 'Message', 'State', ''], rows, 'No triggers yet.')),
    editor, form(null));
}
