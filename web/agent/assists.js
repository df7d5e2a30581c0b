// Model assists beside "Suggest a reply" (docs/bots.md): "Summarise" the conversation, and
// "Translate" the visitor's last message into the agent's language. Text for the agent only:
// shown in a panel above the composer, nothing is sent.

import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { api } from '../shared/api.js';
import { state } from './state.js';
import { toast } from './toast.js';

export function createAssists(currentId) {
  const title = h('div', { class: 'assist-title muted' });
  const text = h('div', { class: 'assist-text' });
  const close = h('button', { type: 'button', class: 'assist-close', 'aria-label': t('assist.close'), onclick: () => (el.hidden = true) }, '×');
  const el = h('div', { class: 'assist', hidden: true }, h('div', { class: 'assist-head' }, title, close), text);

  async function run(button, label, call) {
    const id = currentId();
    if (!id) return;
    button.disabled = true;
    try {
      const answer = await call(id);
      if (!answer) return;
      title.textContent = label;
      text.textContent = answer.text;
      el.hidden = false;
    } catch (e) {
      toast(e.message);
    } finally {
      button.disabled = false;
    }
  }

  const summarise = h('button', { type: 'button', class: 'tab summarise',
    onclick: () => run(summarise, t('assist.summary'), (id) => api('POST', `/api/agent/conversations/${id}/summary`)) }, t('assist.summarise'));
  const translate = h('button', { type: 'button', class: 'tab translate',
    onclick: () => run(translate, t('assist.translation'), (id) => {
      const last = [...(state.messages.get(id)?.values() ?? [])]
        .filter((m) => m.sender_kind === 'visitor' && m.kind === 'text')
        .sort((a, b) => a.seq - b.seq)
        .pop();
      if (!last) return toast(t('assist.nothing'));
      return api('POST', '/api/agent/translate', { text: last.body, to: navigator.language || 'en' });
    }) }, t('assist.translate'));

  /** Hides the panel when another conversation opens. */
  let shownFor = null;
  function update(id) {
    if (id !== shownFor) el.hidden = true;
    shownFor = id;
  }

  return { el, buttons: [summarise, translate], update };
}
