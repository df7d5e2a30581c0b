// An event card: a business event the site posted (POST /api/v1/events), shown as a card with
// its title, a table of its fields and its link. The body is JSON; every part is shown as text.

import { h, clock } from '../shared/dom.js';
import { t } from '../shared/i18n.js';

export function parseCard(body) {
  try {
    const c = JSON.parse(body);
    return c && typeof c === 'object' ? c : null;
  } catch {
    return null;
  }
}

/** The card of an `integration` message, or of a timeline entry (`card` given already). */
export function eventCard(card, { seq, at, internal } = {}) {
  const link = /^https?:\/\//i.test(card.url || '')
    ? h('a', { href: card.url, target: '_blank', rel: 'noopener noreferrer' }, card.url)
    : null;
  return h('div', { class: 'event-card', dataset: seq !== undefined ? { seq } : {} },
    h('div', { class: 'event-card-head' },
      h('span', { class: 'tag' }, card.type || 'event'),
      h('strong', {}, card.title || ''),
      internal ? h('span', { class: 'tag muted' }, t('chat.agentsOnly')) : null),
    card.fields?.length
      ? h('table', {}, h('tbody', {}, card.fields.map((f) => h('tr', {}, h('th', {}, f.label), h('td', {}, f.value)))))
      : null,
    link,
    at ? h('div', { class: 'time' }, clock(at)) : null);
}
