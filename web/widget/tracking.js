// Where the visitor is: the widget reports the page it is on (`page` frame) when its socket
// opens and on every in-page navigation (history.pushState / replaceState, popstate,
// hashchange), so agents see the current page live and triggers can fire. And invitations:
// an agent's (`invitation` with a conversation, whose message arrives as any other) or a
// trigger's (shown as a message from its sender until the visitor answers).

const MAX_URL = 2048;

function currentPage(first) {
  let timezone;
  try { timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || undefined; } catch { timezone = undefined; }
  return {
    url: location.href.slice(0, MAX_URL),
    title: (document.title || '').slice(0, 300) || undefined,
    referrer: first && document.referrer ? document.referrer.slice(0, MAX_URL) : undefined,
    timezone,
    language: navigator.language || undefined,
  };
}

/** Calls `report(page)` now and after each navigation; `report` sends the `page` frame. */
export function trackNavigation(report) {
  let last = null;
  let first = true;
  const check = () => {
    if (location.href === last) return;
    last = location.href;
    report(currentPage(first));
    first = false;
  };
  for (const name of ['pushState', 'replaceState']) {
    const original = history[name];
    history[name] = function patched(...args) {
      const result = original.apply(this, args);
      // After the call, so location.href is the new one.
      queueMicrotask(check);
      return result;
    };
  }
  window.addEventListener('popstate', check);
  window.addEventListener('hashchange', check);
  return {
    /** The socket (re)opened: report where we are, even if it did not change. */
    resend() { last = null; check(); },
  };
}

/** Shows an invitation: the widget opens; a trigger's message shows as its sender's. */
export function showInvitation(inv, { messages, open }) {
  if (!inv) return;
  if (!inv.conversation_id && inv.body) messages.invitation(inv.body, inv.from_name || '');
  open();
}
