// Opens the agent socket with a token that is still valid, refreshing it first if it is about
// to expire (the handshake checks it before the upgrade).

import { Socket } from '../shared/socket.js';
import { session, refresh } from '../shared/api.js';
import { state, changed } from './state.js';

function expiresSoon(jwt) {
  try {
    const payload = JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return payload.exp * 1000 < Date.now() + 30_000;
  } catch {
    return true;
  }
}

async function url() {
  let token = session()?.access_token;
  if (!token || expiresSoon(token)) token = await refresh();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws/agent?token=${encodeURIComponent(token)}`;
}

export function connect({ onFrame, lastSeqs }) {
  const socket = new Socket(url, {
    onFrame,
    lastSeqs,
    onState: (s) => {
      state.connection = s;
      changed();
    },
  });
  socket.connect();
  return socket;
}
