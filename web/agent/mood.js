// The visitor's mood in the open conversation, from the sentiment of their messages: a word,
// the latest score and where it goes. Scores arrive shortly after each message is stored, so
// the trend is asked again a moment after a new visitor message.

import { h } from '../shared/dom.js';
import { api } from '../shared/api.js';

/** conversation id → { seen: visitor messages counted when asked, trend } */
const known = new Map();
const ARROWS = { rising: '↗', falling: '↘', steady: '→' };
const ASK_AFTER_MS = 1200;

function paint(el, trend) {
  if (trend?.average == null) {
    el.hidden = true;
    return;
  }
  const mood = trend.average > 0.25 ? 'positive' : trend.average < -0.25 ? 'negative' : 'neutral';
  const word = { positive: 'happy', negative: 'unhappy', neutral: 'neutral' }[mood];
  el.hidden = false;
  el.dataset.mood = mood;
  el.textContent = `${word} ${trend.latest.toFixed(1)} ${ARROWS[trend.direction] ?? ''}`;
  el.title = `Visitor mood: latest ${trend.latest.toFixed(2)}, average ${trend.average.toFixed(2)} (${trend.direction}), over ${trend.points.length} messages`;
}

async function ask(id, seen) {
  try {
    const trend = await api('GET', `/api/agent/conversations/${encodeURIComponent(id)}/sentiment`);
    known.set(id, { seen, trend });
    for (const el of document.querySelectorAll('.mood')) if (el.dataset.conversation === id) paint(el, trend);
  } catch {
    // The indicator is a hint: without it the conversation works as before.
  }
}

/** The indicator for conversation `id`, whose visitor wrote `seen` messages so far. */
export function moodBadge(id, seen) {
  const el = h('span', { class: 'mood', hidden: true, dataset: { conversation: id }, 'aria-label': 'Visitor mood' });
  const entry = known.get(id);
  paint(el, entry?.trend);
  if (!entry || entry.seen !== seen) {
    known.set(id, { seen, trend: entry?.trend });
    setTimeout(() => ask(id, seen), entry ? ASK_AFTER_MS : 0);
  }
  return el;
}
