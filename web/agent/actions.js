// The chat header's buttons: accept a waiting conversation; for one I hold, transfer it (to a
// teammate from /api/agent/team or to a group from /api/agent/groups), block the visitor, or close it.

import { h } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import { state } from './state.js';
import { ask } from './modal.js';
import { toast } from './toast.js';

async function run(frame) {
  try {
    return await state.socket.request(frame);
  } catch (e) {
    toast(e.code === 'conflict' ? t('chat.conflict') : e.message);
    return null;
  }
}

async function transfer(c) {
  const [team, gs] = await Promise.all([
    api('GET', '/api/agent/team').then((r) => r.items),
    api('GET', '/api/agent/groups').then((r) => r.items),
  ]);
  const people = team.filter((m) => m.id !== state.me.id);
  const target = h('select', { name: 'target', required: true },
    h('option', { value: '' }, t('transfer.choose')),
    h('optgroup', { label: t('transfer.agents') }, people.map((m) =>
      h('option', { value: `agent:${m.id}`, disabled: !m.online },
        `${m.name || m.email} — ${m.online ? m.status : 'offline'} (${m.open_chats}/${m.max_chats})`))),
    gs.length ? h('optgroup', { label: t('transfer.groups') }, gs.map((g) => h('option', { value: `group:${g.id}` }, g.name))) : null,
  );
  const values = await ask(t('transfer.title'), [
    h('label', {}, t('transfer.to'), target),
    h('label', {}, t('transfer.note'), h('textarea', { name: 'note', rows: 3 })),
  ], t('chat.transfer'));
  if (!values?.target) return;
  const [kind, id] = values.target.split(':');
  await run({
    type: 'transfer',
    conversation_id: c.id,
    ...(kind === 'agent' ? { to_agent_id: id } : { to_group_id: id }),
    ...(values.note ? { note: values.note } : {}),
  });
}

async function block(c) {
  const values = await ask(t('block.title'), [
    h('p', { class: 'muted' }, t('block.explain')),
    h('label', {}, t('block.reason'), h('input', { name: 'reason' })),
  ], t('chat.block'), { danger: true });
  if (values) await run({ type: 'block', conversation_id: c.id, ...(values.reason ? { reason: values.reason } : {}) });
}

export function actionsFor(c) {
  if (c.state === 'closed') return [];
  if (c.state === 'waiting' || !c.agent_id) {
    return [h('button', { class: 'primary', onclick: () => run({ type: 'accept', conversation_id: c.id }) }, t('chat.accept'))];
  }
  if (c.agent_id !== state.me.id) return [];
  return [
    h('button', { onclick: () => transfer(c) }, t('chat.transfer')),
    h('button', { class: 'danger', onclick: () => block(c) }, t('chat.block')),
    h('button', { class: 'close-conv', onclick: () => run({ type: 'close', conversation_id: c.id }) }, t('chat.close')),
  ];
}
