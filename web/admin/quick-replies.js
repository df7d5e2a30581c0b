// Tenant-wide quick replies, typed as `/shortcut` in the agents' composer.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, table } from './form.js';

export async function renderQuickReplies(root) {
  const replies = await api('GET', '/api/admin/quick-replies');
  const reload = () => renderQuickReplies(root);
  const editor = h('div');

  function form(reply) {
    return apiForm([
      h('h2', {}, reply ? `Edit /${reply.shortcut}` : 'New quick reply'),
      h('div', { class: 'grid2' },
        field('Shortcut', input('shortcut', { required: true, placeholder: 'refund', value: reply?.shortcut ?? '' }), 'Agents type /shortcut'),
        field('Title', input('title', { required: true, placeholder: 'Refund policy', value: reply?.title ?? '' })),
      ),
      field('Text', h('textarea', { name: 'body', rows: 4, required: true, value: reply?.body ?? '' })),
    ], async (f) => {
      const v = Object.fromEntries(new FormData(f));
      const body = { shortcut: v.shortcut, title: v.title, body: v.body };
      if (reply) await api('PUT', `/api/admin/quick-replies/${reply.id}`, body);
      else await api('POST', '/api/admin/quick-replies', body);
      await reload();
    }, { submitText: reply ? 'Save' : 'Add reply' });
  }

  const rows = replies.map((r) => [
    h('code', {}, `/${r.shortcut}`),
    h('strong', {}, r.title),
    h('span', { class: 'clip' }, r.body),
    h('div', { class: 'row-actions' },
      h('button', { onclick: () => mount(editor, form(r)) }, 'Edit'),
      h('button', { class: 'danger', onclick: async () => {
        await api('DELETE', `/api/admin/quick-replies/${r.id}`);
        await reload();
      } }, 'Delete'),
    ),
  ]);
  mount(root, h('div', { class: 'card' }, table(['Shortcut', 'Title', 'Text', ''], rows, 'No quick replies yet.')), editor, form(null));
}
