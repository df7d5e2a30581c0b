// Opening a conversation: load its latest page if needed, then mark it read.

import { state, changed } from './state.js';
import { loadHistory } from './loaders.js';
import { markRead } from './reading.js';
import { toast } from './toast.js';

export async function select(id) {
  state.selected = id;
  watch();
  document.body.classList.add('chat-open'); // narrow screens show the chat instead of the lists
  changed();
  try {
    if (!state.oldestLoaded.has(id)) await loadHistory(id);
    if (state.selected === id) markRead(id);
  } catch (e) {
    toast(e.message);
  }
}

export function back() {
  document.body.classList.remove('chat-open');
}

/** Follow the open conversation live, even when someone else holds it (e.g. after a transfer). */
export function watch() {
  state.socket?.raw({ type: 'watch', id: 'watch', conversation_id: state.selected ?? null });
}
