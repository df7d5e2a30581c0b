// The left column: who I am and my status, then waiting, mine and other open conversations,
// each with the last message, unread count and, for waiting ones, a live wait time.

import { attachmentOf } from '../shared/files.js';
import { h, mount, since, clock } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { state, onChange, visitorName, countsUnread } from './state.js';
import { setBadge } from './favicon.js';
import { openProfile } from './profile.js';
import { initials } from './prefs.js';
import { select } from './selection.js';
import { toast } from './toast.js';
import { searchBox, searchResults } from './search.js';

function groups() {
  const waiting = [];
  const mine = [];
  const others = [];
  for (const c of state.conversations.values()) {
    if (c.state === 'closed') continue;
    if (c.state === 'waiting' || !c.agent_id) waiting.push(c);
    else if (c.agent_id === state.me.id) mine.push(c);
    else others.push(c);
  }
  const byTime = (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at);
  const byActivity = (a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at);
  return { waiting: waiting.sort(byTime), mine: mine.sort(byActivity), others: others.sort(byActivity) };
}

/** Who wrote the last message, for the preview: "You", the agent's name, or nothing. */
function author(c, m) {
  if (m.sender_kind === 'agent') return m.sender_id === state.me.id ? t('list.you') : (m.sender_name || t('list.agent'));
  if (m.sender_kind === 'bot') return t('list.bot');
  return '';
}

function preview(c) {
  const m = c.last_message;
  if (!m) return h('span', { class: 'conv-preview' });
  const who = author(c, m);
  return h('span', { class: `conv-preview${m.kind === 'note' ? ' note' : ''}` },
    m.kind === 'note' ? `${t('list.note')} · ` : '',
    who ? h('span', { class: 'conv-author' }, `${who}: `) : '',
    m.kind === 'image' || m.kind === 'file' ? attachmentOf(m)?.name ?? '' : m.body);
}

function item(c, showWait) {
  const last = c.last_message;
  const unread = countsUnread(c) ? c.unread : 0;
  return h('button', {
    class: `conv${state.selected === c.id ? ' selected' : ''}`,
    dataset: { id: c.id },
    onclick: () => select(c.id),
  },
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, visitorName(c).slice(0, 1).toUpperCase()),
    h('span', { class: 'conv-main' },
      h('span', { class: 'conv-name' }, visitorName(c)),
      preview(c),
    ),
    h('span', { class: 'conv-meta' },
      last ? h('time', { class: 'conv-time', datetime: last.created_at }, clock(last.created_at)) : null,
      showWait ? h('span', { class: 'wait', dataset: { since: c.created_at } }, since(c.created_at)) : null,
      unread ? h('span', { class: 'badge unread' }, unread) : null,
    ),
  );
}

function section(key, list, showWait) {
  return h('section', { class: 'list', dataset: { list: key } },
    h('h2', {}, t(`list.${key}`), h('span', { class: 'count' }, list.length)),
    list.length ? list.map((c) => item(c, showWait)) : h('p', { class: 'empty' }, t('list.empty')),
  );
}

function statusSwitch() {
  const select = h('select', {
    class: 'status-switch',
    'aria-label': t('status.label'),
    onchange: async () => {
      try {
        await state.socket.request({ type: 'status', status: select.value });
      } catch (e) {
        toast(e.message);
      }
    },
  }, ['online', 'busy', 'away'].map((s) => h('option', { value: s }, t(`status.${s}`))));
  return select;
}

export function renderLists(root, { onSignOut }) {
  const status = statusSwitch();
  const dot = h('span', { class: 'dot' });
  const conn = h('div', { class: 'conn' });
  const body = h('div', { class: 'lists-body' });
  const myName = h('strong', {}, state.me.name || state.me.email);
  const myAvatar = h('span', { class: 'avatar me-avatar', 'aria-hidden': 'true' });
  const profileBtn = h('button', { class: 'me-profile', title: t('profile.open'), 'aria-label': t('profile.open'), onclick: openProfile }, myAvatar);
  mount(root,
    h('header', { class: 'me' },
      h('div', { class: 'me-name' }, profileBtn, dot, myName),
      h('div', { class: 'me-tenant' }, state.tenant?.name ?? ''),
      h('div', { class: 'me-actions' }, status, h('button', { class: 'link', onclick: onSignOut }, t('logout'))),
    ),
    h('div', { class: 'search-wrap' }, searchBox()),
    conn,
    body,
  );
  const render = () => {
    const g = groups();
    status.value = state.status;
    myName.textContent = state.me.name || state.me.email;
    myAvatar.textContent = initials(state.me.name || state.me.email);
    dot.className = `dot ${state.status}`;
    conn.textContent = state.connection === 'open' ? '' : t('conn.offline');
    conn.hidden = state.connection === 'open';
    const unread = [...state.conversations.values()].reduce((n, c) => n + (countsUnread(c) ? c.unread ?? 0 : 0), 0);
    document.title = `${unread ? `(${unread}) ` : ''}uniqchat`;
    setBadge(unread);
    if (state.search) mount(body, searchResults());
    else mount(body, section('waiting', g.waiting, true), section('mine', g.mine, false), section('others', g.others, false));
  };
  onChange(render);
  render();
  // Wait times tick without re-rendering the lists.
  setInterval(() => {
    for (const el of body.querySelectorAll('.wait')) el.textContent = since(el.dataset.since);
  }, 1000);
}
