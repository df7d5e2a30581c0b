// Live visitors: everyone with the widget loaded now, their page, time on site, country and
// whether they chat; updated by `live_visitor` / `live_visitor_left` frames. An agent invites a
// browsing visitor from here: the conversation is theirs and opens in the chat.

import { h, mount, since } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import { ask } from './modal.js';
import { toast } from './toast.js';
import { refreshListsSoon } from './loaders.js';
import { select } from './selection.js';
import { upsertConversation } from './state.js';

const visitors = new Map(); // visitor_id -> live visitor

function path(url) {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return url || '';
  }
}

async function invite(v) {
  const values = await ask(t('live.inviteTitle', { name: v.name }), [
    h('label', {}, t('live.message'),
      h('textarea', { name: 'body', required: true, rows: 3, maxlength: 4000 }, t('live.defaultMessage'))),
  ], t('live.invite'));
  if (!values?.body?.trim()) return;
  try {
    const r = await api('POST', `/api/agent/live-visitors/${encodeURIComponent(v.visitor_id)}/invite`, { body: values.body });
    upsertConversation({ id: r.conversation_id, visitor_id: v.visitor_id, visitor: { id: v.visitor_id, name: v.name }, state: 'chatting' });
    refreshListsSoon();
    select(r.conversation_id);
  } catch (e) {
    toast(e.message);
  }
}

export function createLive({ onVisitor } = {}) {
  const list = h('ul', { class: 'live-list' });
  const count = h('span', { class: 'live-count' }, '0');
  const panel = h('section', { class: 'live-panel', hidden: true, 'aria-label': t('live.title') },
    h('h2', {}, t('live.title'),
      h('button', { class: 'link', 'aria-label': t('details.close'), onclick: () => { panel.hidden = true; } }, '×')),
    list);
  const toggle = h('button', { class: 'live-toggle', 'aria-label': t('live.title'), onclick: () => { panel.hidden = !panel.hidden; render(); } },
    t('live.title'), ' ', count);

  function render() {
    count.textContent = String(visitors.size);
    if (panel.hidden) return;
    const rows = [...visitors.values()].sort((a, b) => a.arrived_at.localeCompare(b.arrived_at));
    if (!rows.length) return mount(list, h('li', { class: 'muted' }, t('live.nobody')));
    mount(list, rows.map((v) => h('li', { class: 'live-row', dataset: { visitor: v.visitor_id } },
      h('div', { class: 'live-who' },
        h('strong', {}, v.name),
        v.country ? h('span', { class: 'muted' }, ` · ${[v.city, v.country].filter(Boolean).join(', ')}`) : null,
        v.chatting ? h('span', { class: 'badge chatting' }, t('live.chatting')) : null),
      h('div', { class: 'live-page', title: v.page_url || '' }, v.page_title || path(v.page_url) || '—'),
      h('div', { class: 'muted' }, t('live.onSite', { time: since(v.arrived_at) }),
        v.browser ? ` · ${v.browser}` : '', v.os ? ` · ${v.os}` : ''),
      v.chatting ? null : h('button', { class: 'primary small', onclick: () => invite(v) }, t('live.invite')))));
  }

  async function load() {
    try {
      const list = await api('GET', '/api/agent/live-visitors');
      visitors.clear();
      for (const v of list) visitors.set(v.visitor_id, v);
      render();
    } catch (e) {
      toast(e.message);
    }
  }

  // Time on site moves on by itself.
  setInterval(() => { if (!panel.hidden && !document.hidden) render(); }, 15_000);

  return {
    el: h('div', { class: 'live' }, toggle, panel),
    load,
    /** Returns true for the frames it handles. */
    onFrame(f) {
      if (f.type === 'hello') { load(); return false; }
      if (f.type === 'live_visitor') {
        visitors.set(f.visitor.visitor_id, f.visitor);
        render();
        onVisitor?.(f.visitor.visitor_id);
        return true;
      }
      if (f.type === 'live_visitor_left') { visitors.delete(f.visitor_id); render(); return true; }
      return false;
    },
  };
}
