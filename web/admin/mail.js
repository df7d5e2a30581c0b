// E-mail (docs/mail.md): the tenant's SMTP server (the password is write-only), a test mail,
// and the mail outbox with each mail's status, attempts and last error.

import { h, mount, dateTime } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, select, table } from './form.js';

const TLS = [['starttls', 'STARTTLS (587)'], ['tls', 'TLS from the start (465)'], ['none', 'None (25, local relay only)']];
const KINDS = { test: 'Test', offline_alert: 'Offline alert', reply: 'Reply', transcript: 'Transcript' };

export async function renderMail(root, me) {
  const [s, outbox] = await Promise.all([api('GET', '/api/admin/mail'), api('GET', '/api/admin/mail/outbox?limit=50')]);
  const reload = () => renderMail(root, me);
  const saved = h('p', { class: 'form-note', role: 'status' });
  const password = input('password', {
    type: 'password', autocomplete: 'new-password',
    placeholder: s.password_set ? '•••••••• (stored; leave empty to keep)' : 'none',
  });
  const clearPassword = h('input', { type: 'checkbox', name: 'clear_password' });
  const settings = apiForm([
    h('h2', {}, 'SMTP server'),
    field('Host', input('host', { required: true, value: s.host, placeholder: 'smtp.example.com' })),
    field('Port', input('port', { type: 'number', min: 1, max: 65535, value: String(s.port) })),
    field('Encryption', select('tls', TLS, s.tls), null, 'tls'),
    field('User name', input('username', { value: s.username, autocomplete: 'off' })),
    field('Password', password, s.password_set
      ? h('label', { class: 'check' }, clearPassword, ' Remove the stored password')
      : 'Stored encrypted; never shown again.', 'password'),
    field('From address', input('from_address', { type: 'email', required: true, value: s.from_address, placeholder: 'support@example.com' })),
    field('From name', input('from_name', { value: s.from_name, placeholder: 'Example Support' })),
    field('Team address', input('team_address', { type: 'email', value: s.team_address, placeholder: 'team@example.com' }),
      'Alerts about conversations that start while nobody is available go here; empty: to the agents.'),
    field('Transcripts', h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'transcript_on_close', checked: s.transcript_on_close }),
      ' Send the visitor the transcript when a conversation closes (if they left an e-mail)'), null, 'transcript_on_close'),
  ], async (form) => {
    const d = new FormData(form);
    const body = {
      host: d.get('host'), port: Number(d.get('port')), tls: d.get('tls'), username: d.get('username'),
      from_address: d.get('from_address'), from_name: d.get('from_name'), team_address: d.get('team_address'),
      transcript_on_close: d.get('transcript_on_close') === 'on',
    };
    if (d.get('clear_password') === 'on') body.password = '';
    else if (d.get('password')) body.password = d.get('password');
    await api('PUT', '/api/admin/mail', body);
    await reload();
    root.querySelector('.mail-settings .form-note').textContent = 'Saved.';
  }, { submitText: 'Save', className: 'mail-settings', status: saved });

  const sentNote = h('p', { class: 'form-note', role: 'status' });
  const test = apiForm([
    h('h2', {}, 'Send a test mail'),
    field('To', input('to', { type: 'email', required: true, value: me.user.email })),
  ], async (form) => {
    await api('POST', '/api/admin/mail/test', { to: new FormData(form).get('to') });
    await reload();
    root.querySelector('.mail-test .form-note').textContent = 'Queued: see the outbox below.';
  }, { submitText: 'Send test mail', className: 'mail-test', status: sentNote });
  if (!s.configured) test.querySelector('button[type=submit]')?.setAttribute('disabled', '');

  const rows = outbox.map((m) => [
    KINDS[m.kind] || m.kind,
    h('div', {}, h('div', { class: 'mail-to' }, m.recipient), h('div', { class: 'muted small' }, m.subject)),
    h('span', { class: `tag status-${m.status} ${m.status === 'sent' ? 'on' : m.status === 'dead' ? 'off' : ''}` }, m.status),
    String(m.attempts),
    m.last_error ? h('div', { class: 'hint error' }, m.last_error) : '—',
    dateTime(m.created_at),
    m.sent_at ? dateTime(m.sent_at) : '—',
  ]);
  mount(root,
    settings,
    test,
    h('div', { class: 'card mail-outbox' },
      h('div', { class: 'card-head' }, h('h2', {}, 'Outbox'), h('button', { class: 'refresh', onclick: reload }, 'Refresh')),
      table(['Kind', 'Recipient', 'Status', 'Attempts', 'Last error', 'Created', 'Sent'], rows, 'No mail yet.')));
}
