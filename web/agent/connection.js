// Opens the agent socket with a token that is still valid, refreshing it first if it is about
// to expire (the handshake checks it before the upgrade).

import { Socket } from '../shared/socket.js';
import { session, refresh, expiresSoon } from '../shared/api.js';
import { state, changed } from './state.js';

async function url() {
  let token = session()?.access_token;
  if (!token || expiresSoon(token)) token = await refresh(token);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws/agent?token=${encodeURIComponent(token)}`;
}

export function connect({ onFrame, lastSeqs }) {
  const socket = new Socket(url, {
    onFrame,
    lastSeqs,
    onState: (s) => {
      // The login ended (signed out elsewhere, disabled, refresh refused): back to the sign-in.
      if (s === 'failed' && !session()) return location.reload();
      state.connection = s;
      changed();
    },
  });
  socket.connect();
  return socket;
}
