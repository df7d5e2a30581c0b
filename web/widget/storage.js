// What survives reloads and navigation on the site: the visitor token, the open conversation
// and the sound preference, one localStorage entry per site key.
const keyFor = (siteKey) => `uniqchat:${siteKey}`;

export function load(siteKey) {
  try { return JSON.parse(localStorage.getItem(keyFor(siteKey))) || {}; } catch { return {}; }
}

export function save(siteKey, value) {
  try { localStorage.setItem(keyFor(siteKey), JSON.stringify(value)); } catch { /* private mode */ }
}
