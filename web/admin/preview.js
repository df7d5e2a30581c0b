// A live mock of the widget in the tenant's colour and position: the launcher bubble and the
// open window with its title and welcome text. It is a picture, not the real widget.

import { h, mount } from '../shared/dom.js';

export function createPreview() {
  const el = h('div', { class: 'preview', 'aria-label': 'Widget preview' });

  function update({ widget_color: color, widget_title: title, widget_position: position, welcome_message: welcome, name }) {
    el.style.setProperty('--widget', /^#[0-9a-f]{3,8}$/i.test(color) ? color : '#3b63f6');
    el.dataset.position = position === 'left' ? 'left' : 'right';
    mount(el,
      h('div', { class: 'pv-page' }, h('div', { class: 'pv-line w60' }), h('div', { class: 'pv-line w80' }), h('div', { class: 'pv-line w40' })),
      h('div', { class: 'pv-window' },
        h('div', { class: 'pv-head' }, h('strong', {}, title || 'Chat with us'), h('div', { class: 'pv-sub' }, name || '')),
        h('div', { class: 'pv-body' },
          welcome ? h('div', { class: 'pv-msg in' }, welcome) : null,
          h('div', { class: 'pv-msg out' }, 'Hi! I have a question about my order.'),
        ),
        h('div', { class: 'pv-input' }, 'Write a message…'),
      ),
      h('div', { class: 'pv-bubble', 'aria-hidden': 'true' }, h('span', { class: 'pv-icon' })),
    );
  }

  return { el, update };
}
