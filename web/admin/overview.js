// Overview: four numbers that tell how the support desk is doing right now.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';

const CARDS = [
  ['open', 'Open conversations'],
  ['waiting', 'Waiting for an agent'],
  ['online_agents', 'Agents online'],
  ['today', 'Conversations today'],
];

export async function renderOverview(root) {
  const o = await api('GET', '/api/admin/overview');
  mount(root, h('div', { class: 'cards' }, CARDS.map(([key, label]) =>
    h('div', { class: 'card stat', dataset: { stat: key } },
      h('div', { class: 'stat-value' }, o[key] ?? 0),
      h('div', { class: 'stat-label muted' }, label)))));
}
