// Opening a conversation: load its latest page if needed, then mark it read.

import { state, changed } from './state.js';
import { loadHistory } from './loaders.js';
import { markRead } from './reading.js';
import { toast } from './toast.js';

export async function select(id) {
  state.selected = id;
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
