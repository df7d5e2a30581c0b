// Widget and tenant settings with a live preview, and the snippet to embed the widget.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, select, copyButton } from './form.js';
import { createPreview } from './preview.js';
import { hoursFields, readHours } from './hours.js';
import { widgetTexts } from './widget-texts.js';

function snippet(siteKey) {
  return `<script src="${location.origin}/widget.js" data-site-key="${siteKey}" async></script>`;
}

export async function renderSettings(root, me) {
  const s = await api('GET', '/api/admin/settings');
  const preview = createPreview();
  const saved = h('span', { class: 'saved muted', role: 'status' });

  const color = input('widget_color', { value: s.widget_color, placeholder: '#3b63f6' });
  const picker = h('input', { type: 'color', class: 'picker', value: /^#[0-9a-f]{6}$/i.test(s.widget_color) ? s.widget_color : '#3b63f6', 'aria-label': 'Pick a colour' });
  picker.addEventListener('input', () => {
    color.value = picker.value;
    color.dispatchEvent(new Event('input', { bubbles: true }));
  });

  const widget = widgetTexts(s);
  const form = apiForm([
    h('h2', {}, 'Widget'),
    h('div', { class: 'grid2' },
      field('Title', input('widget_title', { value: s.widget_title })),
      field('Colour', h('div', { class: 'color-row' }, picker, color), null, 'widget_color'),
      field('Position', select('widget_position', [['right', 'Bottom right'], ['left', 'Bottom left']], s.widget_position)),
      field('Company name', input('name', { value: s.name })),
    ),
    field('Welcome message', h('textarea', { name: 'welcome_message', rows: 2, value: s.welcome_message })),
    field('Offline message', h('textarea', { name: 'offline_message', rows: 2, value: s.offline_message }), 'Shown with the offline form when no agent is online or busy (all away or signed out) or outside business hours'),
    h('h2', {}, 'Routing and hours'),
    h('div', { class: 'grid2' },
      field('Routing', select('routing_strategy', [['round_robin', 'Round robin'], ['least_busy', 'Least busy']], s.routing_strategy)),
      field('Time zone', input('timezone', { value: s.timezone, placeholder: 'Europe/Berlin' })),
    ),
    field('Business hours', hoursFields(s.business_hours ?? {}), 'Like 9-17 or 09:00-12:00, 13:00-17:30; a day left empty is closed; all days empty means always open', 'business_hours'),
    field('Allowed origins', h('textarea', { name: 'allowed_origins', rows: 3, value: (s.allowed_origins ?? []).join('\n'), placeholder: 'https://www.example.com' }), 'One per line; empty allows any site'),
    widget.el,
    h('h2', {}, 'Archive and deletion'),
    h('div', { class: 'grid2' },
      field('Archive after (days)', input('archive_after_days', { type: 'number', min: 0, max: 36500, value: s.archive_after_days ?? 0 }), 'Closed conversations older than this move to the archive: still readable, read-only; 0 never'),
      field('Delete after (days)', input('delete_after_days', { type: 'number', min: 0, max: 36500, value: s.delete_after_days ?? 0 }), 'Closed conversations older than this are deleted with their files; 0 never; more than the archive age'),
    ),
  ], async (f) => {
    const v = Object.fromEntries(new FormData(f));
    await api('PATCH', '/api/admin/settings', {
      name: v.name,
      widget_title: v.widget_title,
      widget_color: v.widget_color.trim(),
      widget_position: v.widget_position,
      welcome_message: v.welcome_message,
      offline_message: v.offline_message,
      routing_strategy: v.routing_strategy,
      timezone: v.timezone.trim(),
      business_hours: readHours(f),
      allowed_origins: v.allowed_origins.split('\n').map((o) => o.trim()).filter(Boolean),
      archive_after_days: Number(v.archive_after_days || 0),
      delete_after_days: Number(v.delete_after_days || 0),
      ...widget.read(),
    });
    saved.textContent = 'Saved.';
  }, { submitText: 'Save settings', className: 'settings-form', status: saved });

  const refresh = () => {
    saved.textContent = '';
    const v = Object.fromEntries(new FormData(form));
    preview.update(v);
    if (/^#[0-9a-f]{6}$/i.test(v.widget_color.trim())) picker.value = v.widget_color.trim();
  };
  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  refresh();

  const code = snippet(me.tenant.site_key);
  mount(root, h('div', { class: 'settings' },
    form,
    h('div', { class: 'side' },
      h('div', { class: 'card' }, h('h2', {}, 'Preview'), preview.el),
      h('div', { class: 'card embed' },
        h('h2', {}, 'Embed on your site'),
        h('p', { class: 'muted' }, 'Paste before </body> on every page that should show the chat.'),
        h('pre', { class: 'snippet' }, code),
        copyButton(() => code),
      ),
    ),
  ));
}
