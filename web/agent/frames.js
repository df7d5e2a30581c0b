// Applies each server frame to the state, and raises alerts for what needs attention.

import { state, upsertConversation, addMessage, changed, visitorName, countsUnread } from './state.js';
import { refreshListsSoon } from './loaders.js';
import { alertUser } from './alerts.js';
import { markRead } from './reading.js';
import { watch } from './selection.js';
import { toast } from './toast.js';
import { t } from '../shared/i18n.js';
import { onModelDraft } from './model-drafts.js';

const CONVERSATION_FRAMES = new Set(['conversation', 'accepted', 'closed', 'transferred', 'blocked']);

export function handleFrame(f) {
  if (f.type === 'hello') {
    for (const c of f.conversations) upsertConversation(c);
    refreshListsSoon();
    // A new connection watches nothing yet: follow the open conversation again.
    if (state.selected) watch();
  } else if (f.type === 'message') {
    onMessage(f.message);
  } else if (CONVERSATION_FRAMES.has(f.type)) {
    onConversation(f.conversation);
  } else if (f.type === 'typing' && f.from === 'visitor') {
    state.typing.set(f.conversation_id, f.on);
    // The draft comes only while the tenant has the typing preview on.
    if (f.on && typeof f.draft === 'string') state.drafts.set(f.conversation_id, f.draft);
    else if (!f.on) state.drafts.delete(f.conversation_id);
    changed();
  } else if (f.type === 'read' && f.by === 'visitor') {
    state.seenSeq.set(f.conversation_id, Math.max(f.seq, state.seenSeq.get(f.conversation_id) ?? 0));
    changed();
  } else if (f.type === 'draft') {
    onModelDraft(f);
  } else if (f.type === 'status') {
    state.status = f.status;
    changed();
  } else if (f.type === 'error' && !f.id) {
    toast(f.message);
  }
}

function onMessage(m) {
  if (!state.conversations.has(m.conversation_id)) refreshListsSoon();
  if (!addMessage(m)) return;
  if (m.sender_kind !== 'visitor') return;
  state.typing.set(m.conversation_id, false);
  state.drafts.delete(m.conversation_id);
  const c = state.conversations.get(m.conversation_id);
  const looking = state.selected === m.conversation_id && !document.hidden;
  if (looking) {
    markRead(m.conversation_id);
  } else if (c && countsUnread(c)) {
    c.unread = (c.unread ?? 0) + 1;
    changed();
  }
  if (!looking && (!c || countsUnread(c))) alertUser(t('alert.newMessage', { name: c ? visitorName(c) : t('alert.aVisitor') }), m.body);
}

function onConversation(c) {
  const { conversation, isNew } = upsertConversation(c);
  if (isNew) {
    refreshListsSoon();
    if (c.state === 'waiting') alertUser(t('alert.newConversation'), visitorName(conversation));
  }
}
