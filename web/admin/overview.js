// Overview: four numbers that tell how the support desk is doing right now, and who is on duty.
// It refreshes itself while it is on screen.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { table } from './form.js';

const CARDS = [
  ['open', 'Open conversations'],
  ['waiting', 'Waiting for an agent'],
  ['online_agents', 'Agents online'],
  ['today', 'Conversations today'],
];
const REFRESH_MS = 10_000;

async function draw(root) {
  const [o, team] = await Promise.all([api('GET', '/api/admin/overview'), api('GET', '/api/agent/team')]);
  mount(root,
    h('div', { class: 'cards' }, CARDS.map(([key, label]) =>
      h('div', { class: 'card stat', dataset: { stat: key } },
        h('div', { class: 'stat-value' }, o[key] ?? 0),
        h('div', { class: 'stat-label muted' }, label)))),
    h('div', { class: 'card' },
      h('h2', {}, 'Team'),
      table(['Person', 'Role', 'Status', 'Load'], team.items.map((m) => [
        h('div', {}, h('strong', {}, m.name || m.email), h('div', { class: 'muted' }, m.email)),
        m.role,
        h('span', {}, h('span', { class: `dot ${m.online ? m.status : 'offline'}` }), ' ', m.online ? m.status : 'offline'),
        h('div', { class: 'load' },
          h('div', { class: 'bar' }, h('span', { style: { width: `${Math.min(100, (100 * m.open_chats) / Math.max(1, m.max_chats))}%` } })),
          `${m.open_chats} / ${m.max_chats}`),
      ]))),
  );
}

export async function renderOverview(root) {
  await draw(root);
  const timer = setInterval(() => {
    if (!root.isConnected) return clearInterval(timer); // another page replaced this one
    if (!document.hidden) draw(root).catch(() => {});
  }, REFRESH_MS);
}
