// Browser APIs a test must observe or steer, replaced in the page before its scripts run
// (pass to addInitScript).

// Notifications are recorded instead of shown, and the test decides whether the tab is hidden.
export function stubBrowserApis() {
  window.__notifications = [];
  window.Notification = class {
    static permission = 'granted';
    static requestPermission() {
      return Promise.resolve('granted');
    }
    constructor(title, options) {
      window.__notifications.push({ title, body: options?.body });
    }
  };
  let hidden = false;
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
  window.__setHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  };
}
