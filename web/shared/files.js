// Files in conversations, for the workspace and the widget: upload with progress (XHR), the
// message view of an image (inline thumbnail, click for a lightbox) or a file (a card with name,
// size, type and a download link), and signed links fetched (and renewed) on demand.

import { h, mount } from './dom.js';

/** A paperclip icon (SVG, no font needed). */
export function clipIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z');
  svg.append(path);
  return svg;
}

/** "2.4 MB", "812 KB", "90 B". */
export function formatSize(n) {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/**
 * Uploads `file` (a File or Blob) to `path` with the bearer `token`. Resolves with the file view,
 * rejects with an Error carrying `status` and the server's `code`.
 * @param {(fraction: number) => void} onProgress  0…1 as bytes go out
 */
export function uploadFile(path, token, file, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const name = file.name || 'pasted.png';
    xhr.open('POST', `${path}?name=${encodeURIComponent(name)}`);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (ev) => ev.lengthComputable && onProgress(ev.loaded / ev.total);
    xhr.onload = () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data);
      const err = data?.error ?? {};
      reject(Object.assign(new Error(err.message ?? `HTTP ${xhr.status}`), { status: xhr.status, code: err.code }));
    };
    xhr.onerror = () => reject(Object.assign(new Error('the upload was interrupted'), { status: 0, code: 'network' }));
    xhr.send(file);
  });
}

/** The files a paste or a drop carries. */
export function filesOf(transfer) {
  return Array.from(transfer?.files ?? []);
}

/** The description an image or file message carries in its body (null if unreadable). */
export function attachmentOf(message) {
  try {
    const a = JSON.parse(message.body);
    return a && typeof a.attachment_id === 'string' ? a : null;
  } catch {
    return null;
  }
}

/**
 * Signed links, cached until shortly before they expire.
 * @param {(id: string) => Promise<object>} fetchLink  GET …/files/{id}
 */
export function linkCache(fetchLink) {
  const cache = new Map();
  return (id) => {
    const hit = cache.get(id);
    if (hit && (hit.pending || hit.view.expires_at * 1000 > Date.now() + 60_000)) return hit.promise;
    const promise = fetchLink(id).then((view) => {
      cache.set(id, { view, promise });
      return view;
    });
    promise.catch(() => cache.delete(id));
    cache.set(id, { pending: true, promise });
    return promise;
  };
}

/** A full-size image over the page; Escape, a click or the close button end it. */
export function lightbox(url, name) {
  const close = () => {
    box.remove();
    document.removeEventListener('keydown', onKey);
  };
  const onKey = (ev) => ev.key === 'Escape' && close();
  const box = h('div', { class: 'uc-lightbox', role: 'dialog', 'aria-label': name, onclick: close },
    h('img', { src: url, alt: name }),
    h('button', { class: 'uc-lightbox-close', type: 'button', 'aria-label': 'Close' }, '×'));
  document.addEventListener('keydown', onKey);
  document.body.append(box);
  return box;
}

/** The inside of an image or file message bubble; links load when it is shown. */
export function attachmentView(message, links) {
  const a = attachmentOf(message);
  if (!a) return h('div', { class: 'body' }, message.body);
  if (message.kind === 'image') {
    const img = h('img', { class: 'uc-image', alt: a.name, width: Math.min(a.width, 320) || undefined });
    const el = h('button', { type: 'button', class: 'uc-image-button', 'aria-label': a.name }, img);
    links(a.attachment_id).then((v) => {
      img.src = v.thumbnail_url ?? v.url;
      el.onclick = () => links(a.attachment_id).then((fresh) => lightbox(fresh.url, a.name));
    }).catch(() => mount(el, a.name));
    return el;
  }
  const link = h('a', { class: 'uc-file-link', rel: 'noopener' }, a.name);
  links(a.attachment_id).then((v) => link.setAttribute('href', v.url)).catch(() => {});
  return h('div', { class: 'uc-file' },
    h('span', { class: 'uc-file-icon', 'aria-hidden': 'true' }, clipIcon()),
    h('div', { class: 'uc-file-text' }, link,
      h('div', { class: 'uc-file-meta' }, `${formatSize(a.size)} · ${a.content_type}`)));
}
