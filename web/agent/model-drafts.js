// Hybrid mode (docs/bots.md): replies the tenant's language model drafted for the conversation
// this agent holds. Shown above the composer, editable; nothing reaches the visitor until the
// agent presses "Approve and send" (or "Dismiss" drops it).

import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { api } from '../shared/api.js';
import { state, changed } from './state.js';
import { toast } from './toast.js';

/** A `draft` frame: remember it for its conversation. */
export function onModelDraft(f) {
  const list = state.modelDrafts.get(f.conversation_id) ?? [];
  if (!list.some((d) => d.id === f.draft_id)) list.push({ id: f.draft_id, body: f.body });
  state.modelDrafts.set(f.conversation_id, list);
  changed();
}

export function createModelDrafts() {
  let current = null;
  let shownId = null;
  const fetched = new Set();
  const text = h('textarea', { class: 'model-draft-input', rows: 3, 'aria-label': t('draft.label') });
  const approve = h('button', { type: 'button', class: 'primary approve', onclick: () => decide('approve') }, t('draft.approve'));
  const dismiss = h('button', { type: 'button', class: 'dismiss', onclick: () => decide('dismiss') }, t('draft.dismiss'));
  const el = h('div', { class: 'model-draft', hidden: true },
    h('div', { class: 'model-draft-title muted' }, t('draft.title')),
    text,
    h('div', { class: 'model-draft-actions' }, dismiss, approve));

  async function decide(what) {
    const c = current;
    const list = state.modelDrafts.get(c?.id) ?? [];
    const d = list[0];
    if (!d) return;
    approve.disabled = dismiss.disabled = true;
    try {
      if (what === 'approve') {
        await api('POST', `/api/agent/drafts/${d.id}/approve`, { body: text.value });
      } else {
        await api('POST', `/api/agent/drafts/${d.id}/dismiss`);
      }
      state.modelDrafts.set(c.id, list.filter((x) => x.id !== d.id));
      changed();
    } catch (e) {
      toast(e.message);
    } finally {
      approve.disabled = dismiss.disabled = false;
    }
  }

  /** Shows the oldest pending draft of `c` when this agent holds it (`mine`). */
  function update(c, mine) {
    current = c;
    if (c && mine && !fetched.has(c.id)) {
      // Drafts are not resumed over the socket: fetch them once per conversation.
      fetched.add(c.id);
      api('GET', `/api/agent/conversations/${c.id}/drafts`).then((list) => {
        const known = state.modelDrafts.get(c.id) ?? [];
        for (const d of list) if (!known.some((k) => k.id === d.id)) known.push({ id: d.id, body: d.body });
        state.modelDrafts.set(c.id, known);
        changed();
      }).catch(() => fetched.delete(c.id));
    }
    const d = c && mine ? (state.modelDrafts.get(c.id) ?? [])[0] : null;
    el.hidden = !d;
    if (d && d.id !== shownId) text.value = d.body;
    shownId = d?.id ?? null;
  }

  return { el, update };
}
