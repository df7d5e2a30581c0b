// The right column: the visitor's details (contact, ip, user agent, referrer, pages seen) and
// their previous conversations, which open in the chat when clicked.

import { h, mount, dateTime } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { state, onChange, visitorName, upsertConversation } from './state.js';
import { loadVisitor, forgetVisitor } from './loaders.js';
import { select } from './selection.js';
import { eventCard } from './event-card.js';

function row(label, value) {
  return value ? h('div', { class: 'kv' }, h('dt', {}, label), h('dd', {}, value)) : null;
}

function profileView(c, p) {
  return [
    h('div', { class: 'visitor-card' },
      h('span', { class: 'avatar large' }, visitorName(c).slice(0, 1).toUpperCase()),
      h('div', {}, h('strong', {}, p.name || p.insight?.display_name || visitorName(c)), h('div', { class: 'muted' }, p.email || t('details.noEmail'))),
    ),
    h('dl', {},
      row(t('details.verified'), p.external_id),
      row(t('details.ip'), p.ip),
      ...insightRows(p.insight),
      row(t('details.browser'), p.insight?.browser ? null : p.user_agent),
      row(t('details.referrer'), p.insight?.live?.referrer || p.referrer),
      row(t('details.firstSeen'), dateTime(p.created_at)),
      row(t('details.lastSeen'), dateTime(p.last_seen_at)),
    ),
    visitPages(p.insight?.live),
    attributes(p),
    p.timeline?.length ? [h('h3', {}, t('details.timeline')),
      h('div', { class: 'timeline' }, p.timeline.map((e) => eventCard(e.card, { at: e.created_at })))] : null,
    p.pages?.length ? [h('h3', {}, t('details.pages')), h('ol', { class: 'pages' }, p.pages.map((u) => h('li', {}, u)))] : null,
    h('h3', {}, t('details.previous')),
    prior(c, p),
  ];
}

/** Browser, system, device, place, local time, visits and the page they are on now. */
function insightRows(i) {
  if (!i) return [];
  const live = i.live;
  const local = live?.local_time ? `${live.local_time.slice(11, 16)} (${live.timezone})` : null;
  return [
    row(t('details.nowOn'), live?.online ? live.current_page : null),
    row(t('details.browser'), i.browser),
    row(t('details.os'), i.os),
    row(t('details.device'), i.device),
    row(t('details.place'), [i.city, i.country].filter(Boolean).join(', ')),
    row(t('details.localTime'), local),
    row(t('details.visits'), i.visits ? String(i.visits) : null),
    row(t('details.utm'), live?.utm_source),
  ];
}

/** The pages of the visit in progress, with the time on each. */
function visitPages(live) {
  if (!live?.pages?.length) return null;
  return [h('h3', {}, t('details.visit')),
    h('ol', { class: 'visit-pages' }, live.pages.map((pg) =>
      h('li', { title: pg.url }, `${pg.title || pg.url} — ${pg.seconds < 60 ? `${pg.seconds}s` : `${Math.floor(pg.seconds / 60)}m ${pg.seconds % 60}s`}`)))];
}

/** The custom attributes the site sent with `identify` (plan, order count, …). */
function attributes(p) {
  const entries = Object.entries(p.attributes ?? {});
  if (!entries.length) return null;
  return [h('h3', {}, t('details.attributes')),
    h('dl', { class: 'attributes' }, entries.map(([k, v]) => row(k, v === null ? '—' : String(v))))];
}

function prior(c, p) {
  const others = (p.conversations ?? []).filter((x) => x.id !== c.id);
  if (!others.length) return h('p', { class: 'muted' }, t('details.none'));
  return h('ul', { class: 'prior' }, others.map((x) =>
    h('li', {}, h('button', {
      class: 'link',
      onclick: () => {
        upsertConversation({ ...x, visitor: c.visitor, visitor_id: p.id });
        select(x.id);
      },
    }, `${dateTime(x.created_at)} — ${x.state}${x.rating ? ` — ${'★'.repeat(x.rating)}` : ''}`))));
}

export function createDetails() {
  const body = h('div', { class: 'details-body' });
  const closeButton = h('button', {
    class: 'details-close link',
    'aria-label': t('details.close'),
    onclick: () => document.body.classList.remove('details-open'),
  }, '×');
  const el = h('aside', { class: 'col details', 'aria-label': t('details.title') },
    h('h2', {}, t('details.title'), closeButton), body);
  let shownFor = null;

  async function render() {
    const c = state.conversations.get(state.selected);
    const visitorId = c?.visitor?.id ?? c?.visitor_id;
    if (!visitorId) {
      shownFor = null;
      mount(body, h('p', { class: 'muted' }, t('details.nothingOpen')));
      return;
    }
    const key = `${c.id}/${visitorId}`;
    if (shownFor === key) return;
    shownFor = key;
    mount(body, h('p', { class: 'muted' }, t('loading')));
    try {
      const p = await loadVisitor(visitorId);
      if (shownFor === key) mount(body, profileView(c, p));
    } catch (e) {
      if (shownFor === key) mount(body, h('p', { class: 'error' }, e.message));
    }
  }

  onChange(render);
  /** The visitor moved (a `live_visitor` frame): show their current page if they are on screen. */
  function refresh(visitorId) {
    const c = state.conversations.get(state.selected);
    if ((c?.visitor?.id ?? c?.visitor_id) !== visitorId) return;
    forgetVisitor(visitorId);
    shownFor = null;
    render();
  }
  return { el, render, refresh };
}
