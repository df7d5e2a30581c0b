// The widget: mounts a shadow root, opens the visitor session and wires the view, the
// connection and the JS API (`uniqchat('open' | 'close' | 'identify' | 'on', ...)`).
import { askForHuman, connect, requestTranscript } from './connection.js';
import { createMessageList } from './messages.js';
import { buildView, setMuteIcon } from './view.js';
import { offlineForm, offlineSent, prechatForm, ratingForm, thanks } from './forms.js';
import { css } from './styles.js';
import { beep } from './sound.js';
import { t } from './i18n.js';
import { el, initials } from './dom.js';
import { createFiles } from './files.js';
import { textsFor } from './texts.js';
import { prechatPanel } from './prechat.js';
import { createPreview } from './preview.js';
import { createEmojiPicker, insertAtCaret, EMOJI_CSS } from '../shared/emoji.js';
import { trackNavigation, showInvitation } from './tracking.js';

export function start({ base, siteKey, prechat = false }) {
  const host = document.createElement('div');
  host.setAttribute('data-uniqchat', '');
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css + EMOJI_CSS);
  root.adoptedStyleSheets = [sheet];
  document.body.append(host);

  let session = null;
  let unread = 0;
  let isOpen = false;
  const listeners = { message: [], open: [], close: [] };
  const emit = (name, ...args) => listeners[name]?.forEach((fn) => { try { fn(...args); } catch (e) { console.error(e); } });

  const v = buildView(root, '');
  let files = null;
  const messages = createMessageList(v.list, () => session?.settings.widget_title || t.agent, (m) => files.view(m));

  const conn = connect({
    base, siteKey,
    onSession: applySession,
    onFrame,
    onState: (s) => { v.status.textContent = s === 'offline' ? t.reconnecting : queueText; },
    // identify made this browser the user's visitor from another device: show their history.
    onSwitched: () => messages.reset(),
    onOpen: () => tracking?.resend(),
  });
  const tracking = trackNavigation((nav) => conn.page(nav));
  conn.setShownSeq(() => messages.maxSeq());
  files = createFiles({ base, conn, root });
  v.attachBtn.addEventListener('click', () => v.fileInput.click());
  v.fileInput.addEventListener('change', () => { files.attach([...v.fileInput.files], v.uploads); v.fileInput.value = ''; });
  v.input.addEventListener('paste', (e) => {
    const pasted = [...(e.clipboardData?.files || [])];
    if (!pasted.length) return;
    e.preventDefault();
    files.attach(pasted, v.uploads);
  });
  v.win.addEventListener('dragover', (e) => { if (e.dataTransfer?.types?.includes('Files') && !v.composer.hidden) e.preventDefault(); });
  v.win.addEventListener('drop', (e) => {
    const dropped = [...(e.dataTransfer?.files || [])];
    if (!dropped.length || v.composer.hidden) return;
    e.preventDefault();
    files.attach(dropped, v.uploads);
  });
  setMuteIcon(v.muteBtn, !!conn.prefs.muted);
  v.humanBtn.addEventListener('click', async () => {
    v.humanBtn.disabled = true;
    try {
      await askForHuman(base, conn.token(), conn.conversationId());
      v.humanBtn.hidden = true;
    } catch { /* stays: try again */ }
    v.humanBtn.disabled = false;
  });
  // The transcript by e-mail: a small form under the header, prefilled with the address left.
  v.mailBtn.addEventListener('click', () => {
    if (!v.mailBar.hidden) { v.mailBar.hidden = true; return; }
    const email = el('input', { type: 'email', required: true, placeholder: t.email, 'aria-label': t.email, value: session?.visitor?.email || '' });
    const note = el('span', { class: 'note', role: 'status' });
    v.mailBar.replaceChildren(email, el('button', { type: 'submit', class: 'primary', text: t.transcriptSend }), note);
    v.mailBar.onsubmit = async (e) => {
      e.preventDefault();
      try {
        await requestTranscript(base, conn.token(), conn.conversationId(), email.value.trim());
        note.textContent = t.transcriptSent(email.value.trim());
      } catch (err) { note.textContent = err.message; }
    };
    v.mailBar.hidden = false;
    email.focus();
  });
  const emoji = createEmojiPicker({ lang: t.lang, onPick: (e) => insertAtCaret(v.input, e) });
  v.composer.insertBefore(emoji.button, v.input);
  v.win.insertBefore(emoji.panel, v.composer);
  const preview = createPreview(v.win, v.composer);
  let texts = null; // the tenant's texts in the visitor's language (texts.js)

  let queueText = '';
  // Offline: 'form' while the offline form shows, 'sent' once it was sent. Either way the
  // widget shows no queue position and no live box until an agent takes the conversation.
  let offlineState = null;
  let welcomed = false;
  let welcomeRow = null;

  // Title, colour and side: from the session, and again whenever the tenant changes them.
  function applyLook(st) {
    if (/^#[0-9a-f]{3,8}$/i.test(st.widget_color)) host.style.setProperty('--accent', st.widget_color);
    host.classList.toggle('left', st.widget_position === 'bottom-left' || st.widget_position === 'left');
    v.titleEl.textContent = st.widget_title || st.name;
    v.headerAvatar.textContent = initials(v.titleEl.textContent);
  }

  function applySession(s) {
    session = s;
    if (s.reopened) setTimeout(open, 0);
    v.mailBtn.hidden = !s.conversation;
    const st = s.settings;
    applyLook(st);
    texts = textsFor(st);
    preview.set(st.typing_preview);
    // Shown at once; the server also stores the welcome in a new conversation, and that copy
    // replaces this one when it arrives.
    if (!welcomed && texts.welcome && !s.conversation) welcomeRow = messages.system(texts.welcome);
    welcomed = true;
    if (offlineState) return; // identify() from the offline form answers with a new session
    if (s.offline && !s.conversation) {
      showOfflineForm(texts.offline);
    } else if (s.offline && s.conversation?.state === 'waiting') {
      showOfflineSent(s.visitor.email);
    } else if (st.prechat?.enabled && !s.conversation && !conn.prefs.prechatDone) {
      // The tenant's form blocks the first message until it is sent.
      showPrechat();
    } else if (prechat && !s.conversation && !s.visitor.email) {
      v.composer.hidden = true;
      prechatForm(v.panel, async (profile) => { await conn.identify(profile); showComposer(); });
    }
  }

  function showOfflineForm(text) {
    offlineState = 'form';
    v.composer.hidden = true;
    offlineForm(v.panel, text, async ({ email, message }) => {
      await conn.identify({ email });
      sendText(message);
      showOfflineSent(email);
    });
  }

  function showOfflineSent(email) {
    offlineState = 'sent';
    queueText = '';
    v.status.textContent = '';
    v.composer.hidden = true;
    offlineSent(v.panel, email);
  }

  /** The tenant's pre-chat form in place of the composer; once answered, what the server
   * refused for want of it (`prechat_required`) is sent again. */
  function showPrechat() {
    v.composer.hidden = true;
    const submit = async (answers) => { await conn.prechat(answers); showComposer(); conn.retry(); };
    prechatPanel(v.panel, { form: session.settings.prechat, texts, submit });
  }

  function showComposer() {
    v.panel.hidden = true;
    v.panel.replaceChildren();
    v.composer.hidden = false;
    if (isOpen) v.input.focus();
  }

  function onFrame(f) {
    const mine = (id) => id && id === conn.conversationId();
    queueMicrotask(() => { v.mailBtn.hidden = !conn.conversationId(); });
    switch (f.type) {
      case 'hello':
        for (const c of f.conversations || []) if (c.state === 'closed' && mine(c.id) && !c.rating) askRating(c.id);
        v.humanBtn.hidden = !(f.conversations || []).some((c) => mine(c.id) && c.state === 'bot');
        break;
      case 'message': {
        const isWelcome = f.message.sender_kind === 'bot' && f.message.body === session?.settings.welcome_message;
        if (welcomeRow && isWelcome) {
          welcomeRow.remove();
          welcomeRow = null;
        }
        // The stored welcome is the tenant's default text: shown in the visitor's language.
        const shown = isWelcome && texts?.welcome ? { ...f.message, body: texts.welcome } : f.message;
        if (!messages.add(shown)) break;
        v.typing.hidden = true;
        // History already read before a reload: shown again, but neither unread, rung nor
        // announced to the page's `message` listeners.
        if (conn.wasRead(f.message.seq)) break;
        emit('message', { body: f.message.body, from: f.message.sender_kind, created_at: f.message.created_at });
        if (isOpen) conn.read(f.message.seq);
        else { unread += 1; renderBadge(); }
        // A replay after a reload or a reconnect rings once at its end, not once per message.
        if (conn.replaying()) missedWhileAway = true;
        else ring();
        break;
      }
      case 'invitation':
        showInvitation(f.invitation, { messages, open });
        ring();
        break;
      case 'resumed':
        if (missedWhileAway) ring();
        missedWhileAway = false;
        break;
      case 'typing':
        // A bot streaming its answer shows the text so far in place of the dots' label.
        if (mine(f.conversation_id) && (f.from === 'agent' || f.from === 'bot')) {
          v.typing.hidden = !f.on;
          v.typingText.textContent = ' ' + (f.from === 'bot' ? (f.draft || t.botTyping) : t.typing);
        }
        break;
      case 'queue':
        if (offlineState) break; // the offline form promised an e-mail, not a queue
        queueText = f.position > 0 ? t.queue(f.position) : '';
        v.status.textContent = queueText;
        break;
      // The server tells the visitor about every change of their conversation (accepted,
      // transferred, closed) with one `conversation` frame.
      case 'conversation':
      case 'closed':
        if (!mine(f.conversation?.id)) break;
        v.humanBtn.hidden = f.conversation.state !== 'bot';
        if (f.conversation.state === 'closed') { offlineState = null; askRating(f.conversation.id); }
        else if (f.conversation.state !== 'waiting') {
          queueText = '';
          v.status.textContent = '';
          // Someone took the offline message while the visitor is still here: chat live.
          if (offlineState === 'sent') { offlineState = null; showComposer(); }
        }
        break;
      case 'error':
        // A first message the server keeps until the pre-chat form is answered (the form was
        // turned on or changed since this page loaded): it stays pending, the form comes up as
        // the tenant has it now, and the message goes again once it is answered.
        if (f.code === 'prechat_required') {
          conn.refresh()
            .then(() => { if (session.settings.prechat?.enabled) showPrechat(); })
            .catch((e) => console.error('uniqchat:', e));
        }
        break;
      case 'settings':
        // The tenant changed the widget's look or texts: no reload needed.
        if (session) Object.assign(session.settings, f.settings);
        applyLook(f.settings);
        break;
      case 'rated':
        // The next message starts a new conversation, so the composer comes back under the thanks.
        if (f.conversation?.id) { conn.forgetConversation(); thanks(v.panel); v.composer.hidden = false; }
        break;
    }
  }

  let missedWhileAway = false;
  function ring() { if (!conn.prefs.muted) beep(); }

  let ratingAsked = null;
  function askRating(conversationId) {
    if (ratingAsked === conversationId) return;
    ratingAsked = conversationId;
    messages.system(t.closed);
    v.typing.hidden = true;
    v.composer.hidden = true;
    queueText = '';
    v.status.textContent = '';
    ratingForm(v.panel, (rating, comment) => conn.rate(conversationId, rating, comment));
    messages.toBottom(); // the form takes room from the list: keep the last message in sight
  }

  function sendText(text) {
    const body = text.trim();
    if (!body) return;
    const id = conn.send(body);
    messages.pending(id, body);
  }

  function renderBadge() {
    v.badge.hidden = unread === 0;
    v.badge.textContent = unread > 9 ? '9+' : String(unread);
    v.launcher.setAttribute('aria-label', unread ? `${t.open} (${unread})` : t.open);
  }

  function open() {
    if (isOpen) return;
    isOpen = true;
    v.win.hidden = false;
    host.classList.add('open');
    v.launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    renderBadge();
    v.list.scrollTop = v.list.scrollHeight;
    const focusable = v.panel.hidden ? v.input : v.panel.querySelector('input, textarea, button');
    focusable?.focus();
    if (messages.maxSeq()) conn.read(messages.maxSeq());
    emit('open');
  }

  function close() {
    if (!isOpen) return;
    isOpen = false;
    v.win.hidden = true;
    host.classList.remove('open');
    v.launcher.setAttribute('aria-expanded', 'false');
    v.launcher.focus();
    emit('close');
  }

  // Typing indicator to the agent: on while writing, off after a pause or on send.
  let typingTimer = null;
  v.input.addEventListener('input', () => {
    if (!typingTimer) conn.typing(true);
    preview.draft(v.input.value, (draft) => conn.typing(true, draft));
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typingTimer = null; conn.typing(false); }, 2500);
  });
  v.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); v.composer.requestSubmit(); }
  });
  v.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    sendText(v.input.value);
    v.input.value = '';
    preview.cancel();
    emoji.close();
    if (typingTimer) { clearTimeout(typingTimer); typingTimer = null; conn.typing(false); }
  });
  v.launcher.addEventListener('click', () => (isOpen ? close() : open()));
  v.closeBtn.addEventListener('click', close);
  v.muteBtn.addEventListener('click', () => {
    conn.prefs.muted = !conn.prefs.muted;
    conn.savePrefs();
    setMuteIcon(v.muteBtn, conn.prefs.muted);
  });
  root.addEventListener('keydown', (e) => { if (e.key === 'Escape' && isOpen) close(); });

  conn.start().catch((e) => { console.error('uniqchat:', e); v.status.textContent = t.reconnecting; });

  return function api(cmd, ...args) {
    if (cmd === 'open') open();
    else if (cmd === 'close') close();
    else if (cmd === 'identify') return conn.identify(args[0] || {});
    else if (cmd === 'on' && listeners[args[0]] && typeof args[1] === 'function') listeners[args[0]].push(args[1]);
    else if (cmd === 'send') sendText(String(args[0] ?? ''));
    else console.warn('uniqchat: unknown command', cmd);
  };
}
