// Attaching files in the workspace: the file picker, a pasted screenshot, files dropped on the
// conversation. Each file is uploaded with its progress shown, then posted as a message; a failed
// upload stays in the list with a Retry button.

import { h, mount } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { api, session, refresh, expiresSoon } from '../shared/api.js';
import { uploadFile, linkCache } from '../shared/files.js';
import { state } from './state.js';
import { toast } from './toast.js';

/** Signed links to files of the tenant, renewed before they expire. */
export const agentLinks = linkCache((id) => api('GET', `/api/agent/files/${encodeURIComponent(id)}`));

async function token() {
  const current = session()?.access_token;
  return current && !expiresSoon(current) ? current : refresh(current);
}

/** The upload list shown above the composer, and `attach(files)` for the open conversation. */
export function createUploads(conversationId) {
  const el = h('div', { class: 'uploads', 'aria-live': 'polite' });

  async function one(file, row) {
    const id = conversationId();
    if (!id) return;
    const label = h('span', {}, t('chat.uploading', { name: file.name || 'image', percent: 0 }));
    const bar = h('progress', { max: 1, value: 0 });
    mount(row, label, bar);
    try {
      const path = `/api/agent/conversations/${encodeURIComponent(id)}/files`;
      let view;
      try {
        view = await uploadFile(path, await token(), file, (f) => {
          bar.value = f;
          label.textContent = t('chat.uploading', { name: file.name || 'image', percent: Math.round(f * 100) });
        });
      } catch (e) {
        if (e.status !== 401) throw e;
        view = await uploadFile(path, await refresh(), file);
      }
      await state.socket.sendAttachment(id, view.id);
      row.remove();
    } catch (e) {
      mount(row, h('span', { class: 'error' }, t('chat.uploadFailed', { name: file.name || 'image', message: e.message })),
        e.status === 0 || e.message === 'connection closed'
          ? h('button', { type: 'button', class: 'link', onclick: () => one(file, row) }, t('chat.retry'))
          : null,
        h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => row.remove() }, '×'));
      if (e.status !== 0) toast(e.message);
    }
  }

  function attach(files) {
    for (const file of files) {
      const row = h('div', { class: 'upload' });
      el.append(row);
      one(file, row);
    }
  }

  return { el, attach };
}
