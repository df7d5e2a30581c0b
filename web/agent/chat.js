// The middle column: the open conversation's header and actions, its messages (older pages load
// when scrolled to the top), the typing line and the composer.

import { h, mount, clock } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { state, onChange, messagesOf, pendingOf, visitorName } from './state.js';
import { loadHistory } from './loaders.js';
import { createComposer } from './composer.js';
import { actionsFor } from './actions.js';
import { back } from './selection.js';
import { eventCard, parseCard } from './event-card.js';
import { attachmentView } from '../shared/files.js';
import { agentLinks } from './uploads.js';
import { renderRich } from '../shared/richtext.js';
import { moodBadge } from './mood.js';

function bubble(m, seen) {
  const card = m.sender_kind === 'integration' && parseCard(m.body);
  if (card) return eventCard(card, { seq: m.seq, at: m.created_at, internal: m.internal });
  if (m.kind === 'event') return h('div', { class: 'event', dataset: { seq: m.seq } }, m.body);
  const side = m.sender_kind === 'visitor' ? 'in' : 'out';
  const cls = `msg ${side}${m.kind === 'note' ? ' note' : ''}${m.sender_kind === 'bot' ? ' bot' : ''}`;
  return h('div', { class: cls, dataset: { seq: m.seq } },
    m.kind === 'note' ? h('div', { class: 'note-label' }, t('chat.noteLabel')) : null,
    m.kind === 'image' || m.kind === 'file'
      ? attachmentView(m, agentLinks)
      : h('div', { class: 'body' }, renderRich(m.body)), // built from text nodes: never parsed as markup
    h('div', { class: 'time' }, clock(m.created_at), seen ? h('span', { class: 'seen' }, ` · ${t('chat.seen')}`) : null),
  );
}

function pendingBubble([clientMsgId, p]) {
  return h('div', { class: `msg out pending${p.kind === 'note' ? ' note' : ''}`, dataset: { pending: clientMsgId } },
    h('div', { class: 'body' }, renderRich(p.body)),
    h('div', { class: 'time' }, t('chat.sending')));
}

/** The agent's last message the visitor has read gets the "Seen" mark. */
function seenSeq(id, list) {
  const upTo = state.seenSeq.get(id) ?? 0;
  let best = 0;
  for (const m of list) if (m.sender_kind !== 'visitor' && m.kind === 'text' && m.seq <= upTo) best = m.seq;
  return best;
}

export function createChat() {
  const header = h('header', { class: 'chat-head' });
  const scroller = h('div', { class: 'messages', role: 'log', 'aria-live': 'polite' });
  const typing = h('div', { class: 'typing' });
  const composer = createComposer();
  const el = h('main', { class: 'col chat' }, header, scroller, typing, composer.el);
  composer.acceptDrops(el);
  let shownId = null;
  let shownCount = 0;

  scroller.addEventListener('scroll', async () => {
    if (scroller.scrollTop > 40 || !state.selected) return;
    const before = scroller.scrollHeight - scroller.scrollTop;
    if (await loadHistory(state.selected)) {
      // Keep the message under the reader's eye where it was.
      requestAnimationFrame(() => (scroller.scrollTop = scroller.scrollHeight - before));
    }
  });

  function render() {
    const c = state.conversations.get(state.selected);
    el.classList.toggle('none', !c);
    if (!c) {
      mount(header);
      mount(scroller, h('div', { class: 'placeholder' }, t('chat.empty')));
      typing.textContent = '';
      composer.update(null);
      shownId = null;
      return;
    }
    mount(header,
      h('button', { class: 'back link', onclick: back, 'aria-label': t('chat.back') }, '←'),
      h('div', { class: 'chat-title' },
        h('strong', {}, visitorName(c)),
        h('span', { class: `pill ${c.state}` }, c.state),
        moodBadge(c.id, messagesOf(c.id).filter((m) => m.sender_kind === 'visitor').length),
        c.rating ? h('span', { class: 'rating', title: c.rating_comment || '', 'aria-label': t('chat.rated', { n: c.rating }) }, '★'.repeat(c.rating)) : null,
      ),
      h('div', { class: 'chat-actions' }, actionsFor(c),
        h('button', { class: 'details-toggle', onclick: () => document.body.classList.toggle('details-open') }, t('details.title'))),
    );
    const list = messagesOf(c.id);
    const pending = pendingOf(c.id);
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
    const fresh = shownId !== c.id;
    const grew = list.length + pending.length > shownCount;
    const seen = seenSeq(c.id, list);
    const older = state.oldestLoaded.get(c.id) > 1 ? h('div', { class: 'older muted' }, t('chat.older')) : null;
    mount(scroller, older, list.map((m) => bubble(m, m.seq === seen)), pending.map(pendingBubble));
    // Follow new messages only if the reader was at the bottom; older pages keep their place
    // through the scroll handler above.
    if (fresh || (grew && atBottom)) scroller.scrollTop = scroller.scrollHeight;
    shownId = c.id;
    shownCount = list.length + pending.length;
    const draft = state.typing.get(c.id) ? state.drafts.get(c.id) : undefined;
    mount(typing, state.typing.get(c.id) ? t('chat.typing') : '',
      draft ? h('div', { class: 'typing-preview', title: t('chat.draftHint') }, draft) : null);
    composer.update(c);
  }

  onChange(render);
  return { el, render };
}
