// The message list: one row per message, keyed by seq so replays after a reconnect or a reload
// never show a message twice; the visitor's own sends show at once and are matched to their
// server copy by client_msg_id.
import { el, initials } from './dom.js';
import { t } from './i18n.js';
import { renderRich } from '../shared/richtext.js';

const time = (iso) => new Date(iso || Date.now()).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function createMessageList(list, agentLabel, fileView) {
  const bySeq = new Map();
  const byClientId = new Map();
  let maxSeq = 0;
  // Kept at the newest message while the visitor has not scrolled up, also when the list gets
  // shorter because a form (rating, offline) or the typing line appears below it.
  let pinned = true;
  const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const toBottom = () => { list.scrollTop = list.scrollHeight; pinned = true; };
  list.addEventListener('scroll', () => { pinned = nearBottom(); });
  new ResizeObserver(() => { if (pinned) list.scrollTop = list.scrollHeight; }).observe(list);

  function row(kind, body, meta, avatarText, seq) {
    const bubble = typeof body === 'string' ? el('div', { class: 'bubble' }, renderRich(body)) : el('div', { class: 'bubble media' }, body);
    const col = el('div', {}, bubble, meta ? el('div', { class: 'meta', text: meta }) : null);
    const r = el('div', { class: `row ${kind}` }, kind === 'other' ? el('span', { class: 'avatar', 'aria-hidden': 'true', text: avatarText }) : null, col);
    const atBottom = pinned || nearBottom();
    place(r, seq);
    if (atBottom || kind === 'own') toBottom();
    return r;
  }

  // Stored messages stand in seq order whatever order they arrive in (a replay, or the welcome
  // that the server stores before the visitor's first message); sends not yet stored stay last.
  function place(r, seq) {
    if (seq === undefined) return list.append(r);
    r.dataset.seq = String(seq);
    const after = [...list.children].find((c) => (c.dataset.seq ? Number(c.dataset.seq) > seq : c.classList.contains('pending')));
    list.insertBefore(r, after ?? null);
  }

  // An event card posted by the site (`sender_kind` integration): title, fields, link. Only
  // cards the site marked visible reach the visitor; the server never sends the others.
  function card(m) {
    let c = {};
    try { c = JSON.parse(m.body); } catch { return null; }
    const r = el('div', { class: 'row card' }, el('div', { class: 'event-card' },
      el('strong', { text: c.title || '' }),
      ...(c.fields || []).map((f) => el('div', { class: 'field' }, el('span', { class: 'label', text: f.label }), el('span', { text: ` ${f.value}` }))),
      /^https?:\/\//i.test(c.url || '') ? el('a', { href: c.url, target: '_blank', rel: 'noopener noreferrer', text: c.url }) : null));
    const atBottom = pinned || nearBottom();
    place(r, m.seq);
    if (atBottom) toBottom();
    return r;
  }

  return {
    maxSeq: () => maxSeq,
    /** Forgets every row: the browser became another visitor, whose history is replayed. */
    reset() { list.replaceChildren(); bySeq.clear(); byClientId.clear(); maxSeq = 0; },
    /** Shows the newest message (e.g. above the rating form). */
    toBottom,
    system(text) { return row('system', text); },
    /** A trigger's message (not stored until the visitor answers), signed by its sender. */
    invitation(body, who) { return row('other', body, `${who} · ${time()}`, initials(who)); },
    /** A send not yet acknowledged. */
    pending(clientId, body) {
      const r = row('own pending', body, `${t.you} · ${time()}`);
      byClientId.set(clientId, r);
    },
    /** Adds a server message; returns false when it was already shown. */
    add(m) {
      if (m.kind === 'note' || m.internal) return false; // for agents only, never sent here anyway
      if (bySeq.has(m.seq)) return false;
      if (m.sender_kind === 'integration') {
        maxSeq = Math.max(maxSeq, m.seq);
        const r = card(m);
        if (r) bySeq.set(m.seq, r);
        return false;
      }
      maxSeq = Math.max(maxSeq, m.seq);
      const own = m.sender_kind === 'visitor';
      const mine = own && m.client_msg_id && byClientId.get(m.client_msg_id);
      if (mine) {
        mine.classList.remove('pending');
        place(mine, m.seq);
        bySeq.set(m.seq, mine);
        return false;
      }
      // A bot with a name (sent through the integration API) answers like an agent.
      const answers = m.sender_kind === 'agent' || (m.sender_kind === 'bot' && m.sender_name);
      const kind = own ? 'own' : answers ? 'other' : 'system';
      // Agents sign their messages; the bot's (welcome) carry the widget's title.
      const who = own ? t.you : m.sender_name || agentLabel();
      const content = (m.kind === 'image' || m.kind === 'file') && fileView ? fileView(m) : m.body;
      bySeq.set(m.seq, row(kind, content, kind === 'system' ? null : `${who} · ${time(m.created_at)}`, initials(who), m.seq));
      return !own && kind !== 'system';
    },
  };
}
