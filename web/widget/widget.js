// uniqchat widget loader. Embedded as
//   <script src="https://HOST/widget.js" data-site-key="KEY" async></script>
// It stays tiny: it installs the `uniqchat(cmd, ...args)` queue (calls made before the
// script loaded are kept in uniqchat.q) and imports the real widget from /assets/widget/.
// The site key comes from data-site-key; when absent (the demo page, whose CSP forbids an
// inline snippet) it is read from `?key=` in the page's URL.
(function () {
  const script = document.currentScript;
  if (!script || window.__uniqchatLoaded) return;
  window.__uniqchatLoaded = true;
  const siteKey = script.dataset.siteKey || new URLSearchParams(location.search).get('key');
  if (!siteKey) { console.warn('uniqchat: no site key'); return; }
  const base = new URL(script.src).origin;
  const queued = (window.uniqchat && window.uniqchat.q) || [];
  const pending = [...queued];
  window.uniqchat = function () { pending.push(arguments); };
  import(new URL('/assets/widget/app.js', script.src).href).then((mod) => {
    const api = mod.start({ base, siteKey, prechat: script.dataset.prechat === 'true' });
    window.uniqchat = (cmd, ...args) => api(cmd, ...args);
    for (const args of pending) api(...args);
  }).catch((e) => console.error('uniqchat: failed to load', e));
})();
