// The agent workspace: sign in, open the realtime socket, load the lists, render three columns.

import { $, h, mount } from '../shared/dom.js';
import { api, session, logout, rememberTenant } from '../shared/api.js';
import { showLogin } from '../shared/login.js';
import { enrolTwoFactor } from '../shared/enrol.js';
import { state, changed, lastSeqs } from './state.js';
import { handleFrame } from './frames.js';
import { loadLists, refreshListsSoon } from './loaders.js';
import { connect } from './connection.js';
import { renderLists } from './lists.js';
import { createChat } from './chat.js';
import { createDetails } from './details.js';
import { createLive } from './live.js';
import { askPermissionOnce } from './alerts.js';
import { t } from '../shared/i18n.js';

async function whoAmI() {
  if (!session()) return null;
  try {
    return await api('GET', '/api/auth/me');
  } catch {
    return null;
  }
}

async function start() {
  const root = $('#app');
  let me = await whoAmI();
  while (!me) {
    await showLogin(root, { heading: t('login.workspace') });
    me = await whoAmI();
  }
  rememberTenant(me.tenant.id);
  // The tenant requires two-factor sign-in and this account has none yet: set it up first.
  while (me.two_factor_required && !me.two_factor_enabled) {
    await enrolTwoFactor(root).catch(() => {});
    me = await whoAmI();
    while (!me) {
      await showLogin(root, { heading: t('login.workspace') });
      me = await whoAmI();
    }
  }
  state.me = me.user;
  state.tenant = me.tenant;
  state.status = me.user.status === 'offline' ? 'online' : me.user.status;

  const sidebar = h('aside', { class: 'col lists', 'aria-label': t('list.label') });
  const chat = createChat();
  const details = createDetails();
  const live = createLive({ onVisitor: (id) => details.refresh(id) });
  const shell = h('div', { class: 'workspace' }, sidebar, chat.el, details.el);
  mount(root, shell);
  // Fixed in a corner, outside the three columns' grid.
  document.body.append(live.el);
  document.addEventListener('click', askPermissionOnce, { once: true });

  const socket = connect({ onFrame: (f) => { if (!live.onFrame(f)) handleFrame(f); }, lastSeqs });
  state.socket = socket;
  renderLists(sidebar, { onSignOut: signOut });
  chat.render();
  details.render();
  await loadLists();
  changed();
  // Other agents' conversations send this tab no messages: re-read the lists now and then so
  // their last messages stay current (mine and the queue update live).
  setInterval(() => {
    if (state.connection === 'open' && !document.hidden) refreshListsSoon();
  }, LIST_REFRESH_MS);
}

const LIST_REFRESH_MS = 30_000;

async function signOut() {
  state.socket?.stop();
  await logout();
  location.reload();
}

start();
