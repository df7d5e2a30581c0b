// The reply box: Enter sends, Shift+Enter breaks the line; a Note tab writes internal notes;
// typing `/` opens the quick replies; typing frames tell the visitor someone is writing. Files
// come by the paperclip (a file picker), by pasting a screenshot, or dropped on the conversation.

import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { state, changed } from './state.js';
import { newId } from '../shared/socket.js';
import { createQuickReplies } from './quick-replies.js';
import { toast } from './toast.js';
import { api } from '../shared/api.js';
import { createUploads } from './uploads.js';
import { createModelDrafts } from './model-drafts.js';
import { createAssists } from './assists.js';
import { filesOf, clipIcon } from '../shared/files.js';
import { createEmojiPicker, insertAtCaret, EMOJI_CSS } from '../shared/emoji.js';

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;

export function createComposer() {
  let mode = 'reply';
  let current = null;
  let typingSentAt = 0;
  let idleTimer = null;

  const input = h('textarea', { class: 'composer-input', rows: 2, 'aria-label': t('chat.message') });
  const sendButton = h('button', { class: 'primary send', type: 'submit' }, t('chat.send'));
  const note = h('div', { class: 'composer-note muted' });
  const tabs = ['reply', 'note'].map((m) =>
    h('button', { type: 'button', class: 'tab', dataset: { mode: m }, onclick: () => setMode(m) }, t(`chat.${m}`)));
  // The tenant's language model drafts a reply to the visitor's last message (docs/bots.md);
  // the agent edits it and sends it, or not.
  const suggestButton = h('button', { type: 'button', class: 'tab suggest', onclick: () => suggest() }, t('chat.suggest'));
  async function suggest() {
    if (!current) return;
    suggestButton.disabled = true;
    try {
      const draft = await api('POST', `/api/agent/conversations/${current.id}/suggestion`);
      setMode('reply');
      input.value = draft.text;
    } catch (e) {
      toast(e.message);
    } finally {
      suggestButton.disabled = false;
    }
  }
  const assists = createAssists(() => current?.id);
  const quick = createQuickReplies(input);
  const uploads = createUploads(() => current?.id);
  const picker = h('input', { type: 'file', multiple: true, hidden: true, class: 'file-picker',
    onchange: () => (uploads.attach(Array.from(picker.files)), (picker.value = '')) });
  const attachButton = h('button', { type: 'button', class: 'attach', title: t('chat.attach'), 'aria-label': t('chat.attach'),
    onclick: () => picker.click() }, clipIcon());
  const emoji = createEmojiPicker({ title: t('chat.emoji'), onPick: (e) => insertAtCaret(input, e) });
  useEmojiStyles();
  const form = h('form', { class: 'composer', onsubmit: (ev) => (ev.preventDefault(), submit()) },
    h('div', { class: 'tabs' }, tabs, suggestButton, assists.buttons),
    quick.el,
    uploads.el,
    emoji.panel,
    h('div', { class: 'composer-row' }, attachButton, emoji.button, picker, input, sendButton),
  );
  const modelDrafts = createModelDrafts();
  const el = h('div', { class: 'composer-wrap' }, note, assists.el, modelDrafts.el, form);

  input.addEventListener('paste', (ev) => {
    const files = filesOf(ev.clipboardData);
    if (!files.length || form.hidden || mode !== 'reply') return;
    ev.preventDefault();
    uploads.attach(files);
  });
  /** Files dropped anywhere on `area` (the conversation) are attached while the agent may write. */
  function acceptDrops(area) {
    area.addEventListener('dragover', (ev) => {
      if (form.hidden || !ev.dataTransfer?.types?.includes('Files')) return;
      ev.preventDefault();
      area.classList.add('dropping');
    });
    area.addEventListener('dragleave', () => area.classList.remove('dropping'));
    area.addEventListener('drop', (ev) => {
      area.classList.remove('dropping');
      const files = filesOf(ev.dataTransfer);
      if (!files.length || form.hidden) return;
      ev.preventDefault();
      uploads.attach(files);
    });
  }

  function setMode(m) {
    mode = m;
    for (const b of tabs) b.classList.toggle('active', b.dataset.mode === m);
    form.classList.toggle('noting', m === 'note');
    input.placeholder = m === 'note' ? t('chat.notePlaceholder') : t('chat.placeholder');
    input.focus();
  }
  setMode('reply');

  function typing(on) {
    if (!current) return;
    state.socket?.raw({ type: 'typing', conversation_id: current.id, on });
    typingSentAt = on ? Date.now() : 0;
  }

  input.addEventListener('input', () => {
    quick.onInput();
    if (mode !== 'reply' || !input.value) return;
    if (Date.now() - typingSentAt > TYPING_REPEAT_MS) typing(true);
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => typing(false), TYPING_IDLE_MS);
  });
  input.addEventListener('keydown', (ev) => {
    if (quick.onKey(ev)) return;
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      submit();
    }
  });

  async function submit() {
    const body = input.value.trim();
    if (!body || !current) return;
    const id = current.id;
    input.value = '';
    emoji.close();
    clearTimeout(idleTimer);
    if (typingSentAt) typing(false);
    const kind = mode === 'note' ? 'note' : 'text';
    const clientMsgId = newId();
    // Shown at once; while offline it waits and goes out when the connection is back.
    state.pending.set(clientMsgId, { conversation_id: id, body, kind });
    changed();
    try {
      const ack = await state.socket.send(kind === 'note' ? 'note' : 'send', id, body, clientMsgId);
      // The stored message normally follows its ack and replaces the pending one; if it came
      // first (or this was a resend), drop the pending one now.
      if (state.messages.get(id)?.has(ack.seq)) state.pending.delete(clientMsgId);
    } catch (e) {
      state.pending.delete(clientMsgId);
      if (!input.value) input.value = body; // give the text back so nothing is lost
      toast(e.message);
    }
    changed();
  }

  /** Enables the box only where this agent may write. */
  function update(c) {
    if (c?.id !== current?.id) {
      quick.close();
      if (current && typingSentAt) typing(false);
    }
    current = c;
    const mine = c && c.agent_id === state.me.id && c.state !== 'closed' && c.state !== 'waiting';
    el.hidden = !c;
    form.hidden = !mine;
    input.disabled = !mine;
    sendButton.disabled = !mine;
    attachButton.disabled = !mine;
    note.hidden = !!mine || !c;
    modelDrafts.update(c, mine);
    assists.update(c?.id);
    if (!c) return;
    if (c.state === 'closed') note.textContent = t('chat.closed');
    else if (c.state === 'waiting') note.textContent = t('chat.acceptFirst');
    else note.textContent = t('chat.readonly');
  }

  return { el, update, acceptDrops };
}

let emojiStyled = false;
/** The picker's stylesheet, shared with the widget (emoji.js), added to the page once. */
function useEmojiStyles() {
  if (emojiStyled) return;
  emojiStyled = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(EMOJI_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
