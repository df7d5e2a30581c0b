// Files in the widget: the paperclip, a pasted screenshot and dropped files are uploaded with
// the visitor token (progress shown, Retry after a failed upload), then posted as a message.
// Images show inline (a click opens them large); other files as a card with a download link.
import { el } from './dom.js';
import { t } from './i18n.js';

const size = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);

function parse(body) {
  try {
    const a = JSON.parse(body);
    return a && typeof a.attachment_id === 'string' ? a : null;
  } catch {
    return null;
  }
}

/** Signed links for the visitor's files, fetched once and renewed before they expire. */
export function createFiles({ base, conn, root }) {
  const cache = new Map();
  function link(id) {
    const hit = cache.get(id);
    if (hit && (hit.pending || hit.view.expires_at * 1000 > Date.now() + 60000)) return hit.promise;
    const promise = fetch(`${base}/api/visitor/files/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${conn.token()}` } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((view) => { cache.set(id, { view, promise }); return view; });
    promise.catch(() => cache.delete(id));
    cache.set(id, { pending: true, promise });
    return promise;
  }

  function lightbox(url, name) {
    const box = el('div', { class: 'lightbox', role: 'dialog', 'aria-label': name }, el('img', { src: url, alt: name }));
    box.addEventListener('click', () => box.remove());
    root.append(box);
  }

  /** The inside of an image or file bubble. */
  function view(m) {
    const a = parse(m.body);
    if (!a) return el('span', { text: m.body });
    if (m.kind === 'image') {
      const img = el('img', { class: 'image', alt: a.name });
      const btn = el('button', { type: 'button', class: 'image-button', 'aria-label': a.name }, img);
      link(a.attachment_id).then((v) => {
        img.src = base + (v.thumbnail_url ?? v.url);
        btn.addEventListener('click', () => link(a.attachment_id).then((f) => lightbox(base + f.url, a.name)));
      }).catch(() => btn.replaceChildren(a.name));
      return btn;
    }
    const anchor = el('a', { class: 'file-link', rel: 'noopener', text: a.name });
    link(a.attachment_id).then((v) => anchor.setAttribute('href', base + v.url)).catch(() => {});
    return el('div', { class: 'file' }, anchor, el('div', { class: 'file-meta', text: `${size(a.size)} · ${a.content_type}` }));
  }

  /** Uploads and posts each file, showing progress rows in `area`. */
  function attach(files, area) {
    for (const file of files) {
      const row = el('div', { class: 'upload' });
      area.append(row);
      area.hidden = false;
      one(file, row, area);
    }
  }

  function one(file, row, area) {
    const name = file.name || 'image.png';
    const done = () => { row.remove(); area.hidden = !area.children.length; };
    const conversationId = conn.conversationId();
    if (!conversationId) {
      row.replaceChildren(el('span', { class: 'error', text: t.attachFirst }));
      setTimeout(done, 4000);
      return;
    }
    const label = el('span', { text: t.uploading(name, 0) });
    const bar = el('progress', { max: '1', value: '0' });
    row.replaceChildren(label, bar);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${base}/api/visitor/conversations/${encodeURIComponent(conversationId)}/files?name=${encodeURIComponent(name)}`);
    xhr.setRequestHeader('authorization', `Bearer ${conn.token()}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (ev) => {
      if (!ev.lengthComputable) return;
      bar.value = ev.loaded / ev.total;
      label.textContent = t.uploading(name, Math.round((100 * ev.loaded) / ev.total));
    };
    const failed = (message, retry) => row.replaceChildren(
      el('span', { class: 'error', text: `${name}: ${message}` }),
      retry ? el('button', { type: 'button', class: 'link', text: t.retry, onclick: () => one(file, row, area) }) : null,
      el('button', { type: 'button', class: 'link', 'aria-label': t.close, text: '×', onclick: done }));
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status !== 201) return failed(data?.error?.message || `HTTP ${xhr.status}`, false);
      conn.sendAttachment(conversationId, data.id);
      done();
    };
    xhr.onerror = () => failed(t.uploadFailed, true);
    xhr.send(file);
  }

  return { view, attach };
}
