// Draws the agent's attention while the tab is hidden: a system notification (when allowed) and
// a short beep made with WebAudio, so no sound file is needed. Either can be turned off in the
// profile (per browser).

import { prefs } from './prefs.js';

let audio = null;

/** Browsers allow the permission prompt and audio only after a user gesture. */
export function askPermissionOnce() {
  if ('Notification' in window && Notification.permission === 'default') {
    Notification.requestPermission().catch(() => {});
  }
  try {
    audio ??= new AudioContext();
  } catch {
    audio = null;
  }
}

/** The alert sound, also played by the profile's "Test sound". */
export function beep() {
  try {
    audio ??= new AudioContext();
  } catch {
    audio = null;
  }
  if (!audio) return;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = 880;
  gain.gain.setValueAtTime(0.15, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.3);
}

export function alertUser(title, body) {
  if (!document.hidden) return;
  const p = prefs();
  if (p.sound) beep();
  if (p.notify && 'Notification' in window && Notification.permission === 'granted') {
    try {
      const n = new Notification(title, { body: String(body ?? '').slice(0, 140), tag: 'uniqchat' });
      n.onclick = () => window.focus();
    } catch {
      // Some browsers only allow notifications from a service worker; the beep still sounds.
    }
  }
}
