// The tenant's own limits on files sent in conversations: each may only lower the server's.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field } from './form.js';

export async function renderFiles(root) {
  const limits = await api('GET', '/api/admin/file-limits');
  const { server, tenant } = limits;
  const bytes = h('input', { name: 'max_file_bytes', type: 'number', min: 1, max: server.max_file_bytes,
    placeholder: String(server.max_file_bytes), value: tenant.max_file_bytes ?? '' });
  const count = h('input', { name: 'max_files_per_conversation', type: 'number', min: 1, max: server.max_files_per_conversation,
    placeholder: String(server.max_files_per_conversation), value: tenant.max_files_per_conversation ?? '' });
  const chosen = new Set(tenant.allowed_types ?? server.allowed_types);
  const boxes = server.allowed_types.map((t) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'allowed_types', value: t, checked: chosen.has(t) }), ` ${t}`));
  const status = h('p', { class: 'form-note', role: 'status' });
  const number = (el) => (el.value.trim() === '' ? null : Number(el.value));
  const form = apiForm([
    h('h2', {}, 'File limits'),
    field('Largest file (bytes)', bytes, `Empty: the server's limit, ${server.max_file_bytes} bytes. You can only go lower.`),
    field('Files per conversation', count, `Empty: the server's limit, ${server.max_files_per_conversation}.`),
    field('Accepted types', h('div', { class: 'checks' }, boxes), 'Judged by the file\'s content. All ticked: the server\'s list.', 'allowed_types'),
  ], async () => {
    const ticked = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    const all = ticked.length === server.allowed_types.length;
    const saved = await api('PUT', '/api/admin/file-limits', {
      max_file_bytes: number(bytes),
      max_files_per_conversation: number(count),
      allowed_types: all ? null : ticked,
    });
    status.textContent = `Saved. Uploads now: at most ${saved.effective.max_file_bytes} bytes, ${saved.effective.max_files_per_conversation} files per conversation.`;
  }, { submitText: 'Save', status });
  mount(root, form);
}
