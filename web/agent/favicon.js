// The tab's icon: the uniqchat bubble, with a red dot and the unread count while there is any,
// so a pinned or background tab shows that someone is waiting.

const BASE = '/assets/shared/favicon.svg';
let shown = -1;

function icon() {
  let link = document.querySelector('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    link.type = 'image/svg+xml';
    document.head.append(link);
  }
  return link;
}

function badged(n) {
  const text = n > 99 ? '99+' : String(n);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">`
    + `<rect x="4" y="6" width="56" height="42" rx="12" fill="#2563eb"/><path d="M18 46 L14 60 L32 46 Z" fill="#2563eb"/>`
    + `<circle cx="44" cy="20" r="20" fill="#dc2626"/>`
    + `<text x="44" y="28" font-family="sans-serif" font-size="${text.length > 2 ? 16 : 24}" font-weight="700" fill="#fff" text-anchor="middle">${text}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** Shows `n` unread messages on the tab's icon (0: the plain icon). */
export function setBadge(n) {
  if (n === shown) return;
  shown = n;
  const link = icon();
  link.href = n ? badged(n) : BASE;
  link.dataset.unread = String(n);
}
