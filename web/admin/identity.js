// Identity verification: the secret the site's backend signs its users' ids with
// (`user_hash = hex(HMAC-SHA256(secret, user_id))`), revealed on demand and regenerated at will.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { secretBox } from './form.js';

export async function renderIdentity(root, me, shown = null) {
  const reveal = h('button', { type: 'button', onclick: async () => {
    const r = await api('GET', '/api/admin/identity-secret');
    await renderIdentity(root, me, r.secret);
  } }, 'Reveal secret');
  const regenerate = h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (!confirm('Regenerate the identity secret? Hashes made with the current one stop working at once.')) return;
    const r = await api('POST', '/api/admin/identity-secret/regenerate');
    await renderIdentity(root, me, r.secret);
  } }, 'Regenerate');
  mount(root,
    h('div', { class: 'card' },
      h('h2', {}, 'Identity verification'),
      h('p', {}, 'Your server signs each signed-in user\'s id with this secret; the widget sends both with ',
        h('code', {}, "uniqchat('identify', {user_id, user_hash, name, email, attributes})"),
        '. A right hash makes the visitor the same person on every device and browser; a wrong one is refused.'),
      h('pre', { class: 'snippet' }, 'user_hash = hex(HMAC-SHA256(secret, user_id))'),
      shown
        ? secretBox('Identity secret', shown, 'Keep it on your server only; never put it in a page.')
        : null,
      h('div', { class: 'actions', style: { marginTop: '12px' } }, shown ? null : reveal, regenerate)));
}
