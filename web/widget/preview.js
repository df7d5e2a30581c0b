// The typing preview (settings.typing_preview): while on, the widget says so above the
// composer and sends the draft with its typing frames, at most every DRAFT_EVERY_MS and cut
// to DRAFT_MAX characters (the server cuts again and drops drafts while the setting is off).
import { el } from './dom.js';

const DRAFT_MAX = 500;
const DRAFT_EVERY_MS = 400;
const NOTICE = {
  en: 'The agent can see what you type before you send it.',
  zh: '客服可以在您发送之前看到您正在输入的内容。',
};

export function createPreview(win, composer) {
  const lang = (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
  const notice = el('div', { class: 'preview-notice', role: 'note', hidden: true, text: NOTICE[lang] });
  win.insertBefore(notice, composer);
  let on = false;
  let last = 0;
  let timer = null;
  return {
    /** Follows the tenant's setting (from the session). */
    set(enabled) { on = !!enabled; notice.hidden = !on; },
    /** The draft to send with a typing frame now, or undefined (not on, or too soon). */
    draft(text, send) {
      if (!on) return;
      clearTimeout(timer);
      const wait = last + DRAFT_EVERY_MS - Date.now();
      const go = () => { last = Date.now(); send(text.slice(0, DRAFT_MAX)); };
      if (wait <= 0) go();
      else timer = setTimeout(go, wait);
    },
    cancel() { clearTimeout(timer); },
  };
}
