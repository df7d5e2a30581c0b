// This browser's notification and sound settings for the workspace. They live in localStorage,
// per browser (a desk PC may ring, a laptop stay quiet), not on the server.

const KEY = 'uniqchat.agent.prefs';
const DEFAULTS = { notify: true, sound: true };

export function prefs() {
  try {
    return { ...DEFAULTS, ...JSON.parse(localStorage.getItem(KEY) ?? '{}') };
  } catch {
    return { ...DEFAULTS };
  }
}

export function setPref(name, value) {
  localStorage.setItem(KEY, JSON.stringify({ ...prefs(), [name]: value }));
}

/** "Ann Lee" → "AL", "ann@example.com" → "A": the avatar's letters. */
export function initials(name) {
  const words = String(name ?? '').split(/[\s@._-]+/).filter(Boolean);
  const letters = words.length > 1 && !String(name).includes('@') ? words[0][0] + words.at(-1)[0] : (words[0]?.[0] ?? '?');
  return letters.toUpperCase();
}
