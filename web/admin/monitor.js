// The live monitor: a full-screen page for a wall display. It polls /api/admin/monitor every few
// seconds (docs/reports.md) and shows the queue, the traffic, today's CSAT, alerts and the team
// in type large enough to read from across a room. `?alert=N`: alert after N minutes (5).

import { $, h, mount } from '../shared/dom.js';
import { api, session } from '../shared/api.js';

const POLL_MS = 5_000;

function wait(secs) {
  if (secs == null) return '—';
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function tile(key, label, value, tone = '') {
  return h('div', { class: `tile ${tone}`, dataset: { tile: key } },
    h('div', { class: 'tile-value' }, value),
    h('div', { class: 'tile-label' }, label));
}

function agentCard(a) {
  const state = a.online ? a.status : 'offline';
  const full = a.max_chats > 0 && a.open_chats >= a.max_chats;
  return h('div', { class: `agent ${state}`, dataset: { agent: a.id } },
    h('div', { class: 'agent-name' }, h('span', { class: `dot ${state}` }), a.name),
    h('div', { class: 'agent-status' }, state),
    h('div', { class: 'agent-load' },
      h('div', { class: `meter ${full ? 'full' : ''}` },
        h('span', { style: { width: `${Math.min(100, (100 * a.open_chats) / Math.max(1, a.max_chats))}%` } })),
      h('span', { class: 'agent-count' }, `${a.open_chats} / ${a.max_chats}`)));
}

function draw(root, m, stamp) {
  const alerting = m.alerts.length > 0;
  const online = m.agents.filter((a) => a.online).length;
  mount(root,
    h('header', { class: 'top' },
      h('div', { class: 'title' }, 'Live monitor'),
      h('div', { class: 'meta' }, `${online} of ${m.agents.length} agents connected`),
      stamp),
    h('section', { class: 'tiles' },
      tile('waiting', 'Waiting in queue', m.waiting, alerting ? 'alert' : m.waiting ? 'warn' : ''),
      tile('longest', 'Longest wait', wait(m.longest_wait_secs), alerting ? 'alert' : ''),
      tile('open', 'Open conversations', m.open),
      tile('conversations', 'New chats / min', m.conversations_last_minute),
      tile('messages', 'Messages / min', m.messages_last_minute),
      tile('csat', `CSAT today (${m.rated_today})`, m.csat_today == null ? '—' : m.csat_today.toFixed(1))),
    alerting
      ? h('section', { class: 'alerts', role: 'alert' },
        h('strong', {}, `${m.alerts.length} visitor${m.alerts.length === 1 ? '' : 's'} waiting over ${m.alert_after_minutes} min`),
        h('span', {}, m.alerts.slice(0, 6).map((a) => h('span', { class: 'alert-chip' }, wait(a.waiting_secs)))))
      : h('section', { class: 'alerts calm' }, `No visitor waiting over ${m.alert_after_minutes} min`),
    h('section', { class: 'agents' }, m.agents.length ? m.agents.map(agentCard) : h('p', { class: 'none' }, 'No agents.')),
  );
}

async function start() {
  const root = $('#monitor');
  if (!session()) {
    mount(root, h('div', { class: 'signin' }, h('p', {}, 'Sign in to the admin console first, then open this page again.'),
      h('a', { href: '/admin' }, 'Open the admin console')));
    return;
  }
  const asked = Number.parseInt(new URLSearchParams(location.search).get('alert') ?? '', 10);
  const minutes = Number.isInteger(asked) && asked >= 0 ? asked : 5;
  const stamp = h('div', { class: 'stamp' });
  let last = null;
  const tick = async () => {
    try {
      last = await api('GET', `/api/admin/monitor?alert_after_minutes=${minutes}`);
      stamp.className = 'stamp';
      stamp.textContent = `updated ${new Date(last.at).toLocaleTimeString()}`;
      draw(root, last, stamp);
    } catch (e) {
      if (e.status === 401 || e.status === 403) {
        mount(root, h('div', { class: 'signin' }, h('p', {}, e.message), h('a', { href: '/admin' }, 'Open the admin console')));
        return false;
      }
      stamp.className = 'stamp stale';
      stamp.textContent = `not updated since ${last ? new Date(last.at).toLocaleTimeString() : '—'}`;
    }
    return true;
  };
  if (!(await tick())) return;
  setInterval(tick, POLL_MS);
}

start();
