// The admin console: the same sign-in as the workspace, then a navigation and one page per area,
// chosen by the URL hash (#agents, #settings, …).

import { $, h, mount } from '../shared/dom.js';
import { api, session, logout, rememberTenant } from '../shared/api.js';
import { showLogin } from '../shared/login.js';
import { enrolTwoFactor } from '../shared/enrol.js';
import { t } from '../shared/i18n.js';
import { pages } from './pages.js';

const ADMIN_ROLES = new Set(['owner', 'admin']);

async function whoAmI() {
  if (!session()) return null;
  try {
    return await api('GET', '/api/auth/me');
  } catch {
    return null;
  }
}

async function signOut() {
  await logout();
  location.hash = '';
  location.reload();
}

function notAllowed(root, me) {
  mount(root, h('div', { class: 'login' },
    h('div', { class: 'card denied', role: 'alert' },
      h('h1', {}, 'Not allowed'),
      h('p', {}, `You are signed in as ${me.user.email}, an ${me.user.role}. ${t('login.forbidden')}`),
      h('p', {}, h('a', { href: '/agent' }, 'Go to the agent workspace')),
      h('button', { onclick: signOut }, t('logout')),
    )));
}

async function start() {
  const root = $('#app');
  let me = await whoAmI();
  while (!me) {
    await showLogin(root, { heading: 'uniqchat — admin console' });
    me = await whoAmI();
  }
  rememberTenant(me.tenant.id);
  // The tenant requires two-factor sign-in and this account has none yet: set it up first.
  while (me.two_factor_required && !me.two_factor_enabled) {
    await enrolTwoFactor(root).catch(() => {});
    me = await whoAmI();
    while (!me) {
      await showLogin(root, { heading: 'uniqchat — admin console' });
      me = await whoAmI();
    }
  }
  if (!ADMIN_ROLES.has(me.user.role)) return notAllowed(root, me);

  const nav = h('nav', { class: 'nav' });
  const content = h('main', { class: 'content' });
  mount(root, h('div', { class: 'console' },
    h('aside', { class: 'sidebar' },
      h('div', { class: 'brand' }, h('strong', {}, me.tenant.name), h('div', { class: 'muted' }, 'Admin console')),
      nav,
      h('div', { class: 'who' }, h('div', {}, me.user.name || me.user.email), h('a', { href: '/agent' }, 'Workspace'), ' · ',
        h('button', { class: 'link', onclick: signOut }, t('logout'))),
    ),
    content,
  ));

  const show = async () => {
    const key = location.hash.slice(1) || 'overview';
    const page = pages.find((p) => p.key === key) ?? pages[0];
    mount(nav, pages.map((p) => h('a', { href: `#${p.key}`, class: p === page ? 'active' : '' }, p.title)));
    mount(content, h('h1', {}, page.title));
    const body = h('div', { class: 'page', dataset: { page: page.key } });
    content.append(body);
    try {
      await page.render(body, me);
    } catch (e) {
      if (e.status === 401 && !session()) return location.reload(); // the login ended: sign in again
      mount(body, h('p', { class: 'error' }, e.message));
    }
  };
  window.addEventListener('hashchange', show);
  await show();
}

start();
