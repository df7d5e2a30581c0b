// Webhooks: endpoints that receive the tenant's events (docs/webhooks.md). Create one (the
// signing secret is shown once), turn it on or off, send a test event, read the delivery log
// and redeliver.

import { h, mount, dateTime } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, table, secretBox } from './form.js';

const EVENTS = [
  'conversation.created', 'conversation.assigned', 'conversation.transferred', 'conversation.closed',
  'conversation.rated', 'message.created', 'offline_message.created', 'visitor.identified',
];

// The endpoint whose delivery log is open, kept across reloads of the page.
let open = null;

export async function renderWebhooks(root, me, fresh = null) {
  const hooks = await api('GET', '/api/admin/webhooks');
  const reload = (created) => renderWebhooks(root, me, created);
  if (open && !hooks.some((w) => w.id === open)) open = null;
  const rows = hooks.map((w) => [
    h('div', {}, h('strong', { class: 'hook-url' }, w.url),
      w.disabled_reason ? h('div', { class: 'hint error' }, w.disabled_reason) : null),
    h('span', { class: 'scopes' }, w.events.map((e) => h('span', { class: 'tag' }, e))),
    h('span', { class: `tag ${w.enabled ? 'on' : 'off'}` }, w.enabled ? 'enabled' : 'disabled'),
    String(w.failure_count),
    h('div', { class: 'row-actions' },
      h('button', { class: 'log', onclick: () => { open = w.id; reload(); } }, 'Deliveries'),
      h('button', { class: 'test', disabled: !w.enabled, onclick: async () => {
        await api('POST', `/api/admin/webhooks/${w.id}/test`);
        open = w.id;
        await reload();
      } }, 'Send test'),
      h('button', { class: 'toggle', onclick: async () => {
        await api('PATCH', `/api/admin/webhooks/${w.id}`, { enabled: !w.enabled });
        await reload();
      } }, w.enabled ? 'Disable' : 'Enable'),
      h('button', { class: 'danger', onclick: async () => {
        if (!confirm(`Delete the webhook to ${w.url} and its delivery log?`)) return;
        await api('DELETE', `/api/admin/webhooks/${w.id}`);
        await reload();
      } }, 'Delete')),
  ]);
  const create = apiForm([
    h('h2', {}, 'New webhook'),
    field('URL', input('url', { required: true, type: 'url', placeholder: 'https://example.com/uniqchat-events' }),
      'Receives a signed JSON POST per event. Redirects are not followed.'),
    field('Events', h('div', { class: 'checks' }, EVENTS.map((e) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'events', value: e }), e))), null, 'events'),
    field('Signing secret', input('secret', { placeholder: 'leave empty to generate one', autocomplete: 'off' }),
      'At least 16 characters. Shown only once.'),
    field('Private network', h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'allow_private_network' }), 'May reach private addresses (if the server allows it)'),
    null, 'allow_private_network'),
  ], async (form) => {
    const data = new FormData(form);
    const events = [...form.querySelectorAll('input[name=events]:checked')].map((i) => i.value);
    const body = { url: data.get('url'), events, allow_private_network: data.get('allow_private_network') === 'on' };
    if (data.get('secret')) body.secret = data.get('secret');
    const created = await api('POST', '/api/admin/webhooks', body);
    await reload(created);
  }, { submitText: 'Add webhook', className: 'create-webhook' });
  const selected = hooks.find((w) => w.id === open);
  mount(root,
    fresh ? secretBox(`Signing secret for ${fresh.url}`, fresh.secret,
      'Copy it now: it is shown only this once. Verify the Uniqchat-Signature header with it.') : null,
    h('div', { class: 'card' }, table(['URL', 'Events', 'Status', 'Failures', ''], rows, 'No webhooks yet.')),
    selected ? await deliveryLog(selected, reload) : null,
    create);
}

async function deliveryLog(hook, reload) {
  const list = await api('GET', `/api/admin/webhooks/${hook.id}/deliveries?limit=50`);
  const rows = list.map((d) => [
    h('span', { class: 'event-type' }, d.event_type),
    h('span', { class: `tag status-${d.status} ${d.status === 'delivered' ? 'on' : d.status === 'dead' ? 'off' : ''}` }, d.status),
    d.response_code == null ? '—' : String(d.response_code),
    d.latency_ms == null ? '—' : `${d.latency_ms} ms`,
    String(d.attempts),
    h('div', { class: 'excerpt' }, h('code', {}, d.body_excerpt ?? ''), d.error ? h('div', { class: 'hint error' }, d.error) : null),
    d.last_attempt_at ? dateTime(d.last_attempt_at) : 'not yet',
    h('button', { class: 'redeliver', onclick: async () => {
      await api('POST', `/api/admin/webhooks/deliveries/${d.id}/redeliver`);
      await reload();
    } }, 'Redeliver'),
  ]);
  return h('div', { class: 'card delivery-log' },
    h('div', { class: 'card-head' }, h('h2', {}, `Deliveries to ${hook.url}`),
      h('button', { onclick: () => reload() }, 'Refresh'),
      h('button', { onclick: () => { open = null; reload(); } }, 'Close')),
    table(['Event', 'Status', 'Code', 'Latency', 'Attempts', 'Answer', 'Last attempt', ''], rows, 'No deliveries yet.'));
}
