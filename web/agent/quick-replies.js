// The `/` popup: lists quick replies whose shortcut starts with what follows the slash;
// arrows move, Enter or Tab inserts the reply's text in place of `/shortcut`, Escape closes.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';

let replies = null;
async function all() {
  if (!replies) {
    const r = await api('GET', '/api/agent/quick-replies');
    replies = Array.isArray(r) ? r : r.items ?? [];
  }
  return replies;
}

export function createQuickReplies(input) {
  all().catch(() => {}); // fetched early so the first `/` finds them ready
  const el = h('ul', { class: 'quick', role: 'listbox', hidden: true });
  let matches = [];
  let active = 0;

  /** The `/word` being typed at the start of a line, or null. */
  function token() {
    const upto = input.value.slice(0, input.selectionStart);
    const m = /(^|\n)\/([\w-]*)$/.exec(upto);
    return m ? { start: upto.length - m[2].length - 1, word: m[2].toLowerCase() } : null;
  }

  function draw() {
    mount(el, matches.map((r, i) =>
      h('li', {
        class: i === active ? 'active' : '',
        role: 'option',
        'aria-selected': String(i === active),
        dataset: { shortcut: r.shortcut },
        onmousedown: (ev) => (ev.preventDefault(), insert(r)),
      },
        h('strong', {}, `/${r.shortcut}`), ' ', h('span', { class: 'muted' }, r.title || r.body))));
    el.hidden = matches.length === 0;
  }

  async function onInput() {
    const tok = token();
    if (!tok) return close();
    const list = await all().catch(() => []);
    matches = list.filter((r) => r.shortcut.toLowerCase().startsWith(tok.word)).slice(0, 8);
    active = 0;
    draw();
  }

  function insert(reply) {
    const tok = token();
    if (!tok) return close();
    const end = input.selectionStart;
    input.value = input.value.slice(0, tok.start) + reply.body + input.value.slice(end);
    const caret = tok.start + reply.body.length;
    input.setSelectionRange(caret, caret);
    close();
    input.focus();
  }

  /** Handles a key if the popup is open; answers true when it did. */
  function onKey(ev) {
    if (el.hidden) return false;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      active = (active + (ev.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length;
      draw();
    } else if (ev.key === 'Enter' || ev.key === 'Tab') {
      insert(matches[active]);
    } else if (ev.key === 'Escape') {
      close();
    } else {
      return false;
    }
    ev.preventDefault();
    return true;
  }

  function close() {
    matches = [];
    el.hidden = true;
  }

  return { el, onInput, onKey, close };
}
