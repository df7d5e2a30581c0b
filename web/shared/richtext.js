// The one renderer for message text in the widget, the workspace and past conversations.
// A small safe subset: **bold**, *italic*, `code`, line breaks, and links (http, https and
// mailto only) that open in a new tab without the opener or a referrer. Everything is built
// with createElement and text nodes: the input is never parsed as HTML, and markers inside
// bold, italic or code stay text.

// Earliest match wins; a link starts before any marker inside it, so its `*` stay in the URL.
const TOKEN = new RegExp([
  '`([^`\\n]+)`', // 1: code
  '\\*\\*(?=\\S)((?:[^*\\n]|\\*(?!\\*))*?\\S)\\*\\*', // 2: bold (single stars inside stay text)
  '(?<![*\\w])\\*(?=[^\\s*])([^*\\n]*?[^\\s*])?\\*(?![*\\w])', // 3: italic (one char: group empty)
  '\\b((?:https?:\\/\\/|mailto:)[^\\s<>"]+)', // 4: link
].join('|'), 'gi');

const LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi;
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
const TRAILING = /[.,;:!?'"\]}>]$/;

/** Renders `text` as a DocumentFragment of text nodes, <strong>, <em>, <code>, <a> and <br>. */
export function renderRich(text) {
  const frag = document.createDocumentFragment();
  String(text ?? '').split(/\r\n|\r|\n/).forEach((line, i) => {
    if (i) frag.append(document.createElement('br'));
    inline(frag, line);
  });
  return frag;
}

function inline(parent, s) {
  let at = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(s); m; m = TOKEN.exec(s)) {
    let whole = m[0];
    let node;
    if (m[1] !== undefined) node = wrap('code', m[1]);
    else if (m[2] !== undefined) node = links(wrap('strong'), m[2]);
    else if (m[4] !== undefined) {
      const url = trimUrl(m[4]);
      whole = url;
      TOKEN.lastIndex = m.index + url.length;
      node = anchor(url);
    } else node = links(wrap('em'), m[3] ?? whole.slice(1, -1));
    if (m.index > at) parent.append(s.slice(at, m.index));
    parent.append(node);
    at = m.index + whole.length;
  }
  if (at < s.length) parent.append(s.slice(at));
}

function wrap(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Text with its links made clickable, no other formatting (used inside bold and italic). */
function links(parent, s) {
  let at = 0;
  LINK.lastIndex = 0;
  for (let m = LINK.exec(s); m; m = LINK.exec(s)) {
    const url = trimUrl(m[0]);
    LINK.lastIndex = m.index + url.length;
    if (m.index > at) parent.append(s.slice(at, m.index));
    parent.append(anchor(url));
    at = m.index + url.length;
  }
  if (at < s.length) parent.append(s.slice(at));
  return parent;
}

/** Drops sentence punctuation after a URL, and a `)` that closes a bracket opened before it. */
function trimUrl(url) {
  let u = url;
  for (;;) {
    if (TRAILING.test(u)) u = u.slice(0, -1);
    else if (u.endsWith(')') && count(u, '(') < count(u, ')')) u = u.slice(0, -1);
    else return u;
  }
}

const count = (s, c) => s.split(c).length - 1;

/** An anchor for a safe URL, or the text itself when the URL does not parse or is not safe. */
function anchor(raw) {
  let url;
  try { url = new URL(raw); } catch { return document.createTextNode(raw); }
  if (!SAFE_SCHEMES.has(url.protocol)) return document.createTextNode(raw);
  const a = document.createElement('a');
  a.href = url.href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer nofollow';
  a.textContent = raw;
  return a;
}
