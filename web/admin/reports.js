// Reports: a date range in the tenant's time zone, the totals, charts by day or hour, tables per
// agent and per group, CSAT and the busiest hours; every table downloads as CSV.
// The figures are defined in docs/reports.md.

import { h, mount } from '../shared/dom.js';
import { api, session, refresh, expiresSoon } from '../shared/api.js';
import { table } from './form.js';
import { timeChart, ratingBars, heatGrid } from './charts.js';

/** "45s", "3m 20s", "2h 05m"; "—" without a value. */
export function duration(secs) {
  if (secs == null) return '—';
  const s = Math.round(secs);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? ` ${String(s % 60).padStart(2, '0')}s` : ''}`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Comments listed on the page; the CSV has every one. */
const SHOWN_COMMENTS = 15;

const num = (v) => (v == null ? '—' : String(v));

function isoDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Fetches a report as CSV with the session's token and saves it under the server's name. */
export async function download(path) {
  let token = session()?.access_token;
  if (!token || expiresSoon(token)) token = await refresh(token);
  const r = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const name = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')?.[1] ?? 'report.csv';
  const url = URL.createObjectURL(await r.blob());
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function csvButton(path, label = 'Download CSV') {
  const b = h('button', { type: 'button', class: 'csv', dataset: { csv: path } }, label);
  b.addEventListener('click', () => download(path).catch((e) => (b.textContent = e.message)));
  return b;
}

function card(title, path, ...body) {
  return h('div', { class: 'card report', dataset: { report: title.toLowerCase().replace(/\s+/g, '-') } },
    h('div', { class: 'card-head' }, h('h2', {}, title), path ? csvButton(path) : null),
    ...body);
}

const TOTALS = [
  ['started', 'Started', num],
  ['answered', 'Answered', num],
  ['missed', 'Missed', num],
  ['offline', 'Offline', num],
  ['first_response_median_secs', 'First response (median)', duration],
  ['resolution_median_secs', 'Resolution (median)', duration],
  ['waiting_median_secs', 'Waiting (median)', duration],
  ['csat_average', 'CSAT', (v) => (v == null ? '—' : `${v.toFixed(2)} / 5`)],
];

function figureCells(f) {
  return [
    num(f.started), num(f.answered), num(f.missed), num(f.offline),
    `${duration(f.first_response_median_secs)} / ${duration(f.first_response_p90_secs)}`,
    `${duration(f.resolution_median_secs)} / ${duration(f.resolution_p90_secs)}`,
    `${duration(f.waiting_median_secs)} / ${duration(f.waiting_p90_secs)}`,
    num(f.messages_per_conversation), num(f.csat_average),
  ];
}
const FIGURE_HEADERS = ['Started', 'Answered', 'Missed', 'Offline', 'First response (median / p90)',
  'Resolution (median / p90)', 'Waiting (median / p90)', 'Msgs / conv.', 'CSAT'];

/** Keeps `select`'s first option ("All …") and its choice, and lists `rows` as the rest. */
function fill(select, rows, id) {
  const chosen = select.value;
  select.replaceChildren(select.options[0], ...rows.filter((r) => r[id]).map((r) => h('option', { value: r[id] }, r.name)));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : '';
}

async function draw(out, range, pick) {
  const q = `from=${range.from}&to=${range.to}`;
  const narrow = [['agent_id', pick.agent.value], ['group_id', pick.group.value]]
    .filter(([, v]) => v).map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('');
  const byTime = `/api/admin/reports/conversations?${q}&interval=${range.interval}${narrow}`;
  const [conv, agents, groups, csat, comments, heat] = await Promise.all([
    api('GET', byTime),
    api('GET', `/api/admin/reports/agents?${q}`),
    api('GET', `/api/admin/reports/groups?${q}`),
    api('GET', `/api/admin/reports/csat?${q}`),
    api('GET', `/api/admin/reports/csat/comments?${q}`),
    api('GET', `/api/admin/reports/heatmap?${q}`),
  ]);
  const hours = range.interval === 'hour';
  fill(pick.agent, agents.rows, 'agent_id');
  fill(pick.group, groups.rows, 'group_id');
  const who = [pick.agent, pick.group].filter((s) => s.value).map((s) => s.selectedOptions[0].textContent);
  mount(out,
    h('p', { class: 'muted period' }, `${conv.from} to ${conv.to}, ${conv.timezone} time`,
      who.length ? ` — totals and charts for ${who.join(', ')}` : ''),
    h('div', { class: 'cards totals' }, TOTALS.map(([key, label, fmt]) =>
      h('div', { class: 'card stat', dataset: { stat: key } },
        h('div', { class: 'stat-value' }, fmt(conv.total[key])),
        h('div', { class: 'stat-label muted' }, label)))),
    card('Conversations', `${byTime}&format=csv`,
      timeChart(conv.rows, [['Started', 'started'], ['Answered', 'answered'], ['Missed', 'missed'], ['Offline', 'offline']], { hours })),
    card('Response times', null,
      h('p', { class: 'muted' }, 'Minutes, by the day or hour the conversation started.'),
      timeChart(conv.rows, [['First response, median', 'first_response_median_secs'], ['First response, p90', 'first_response_p90_secs'],
        ['Waiting, median', 'waiting_median_secs']], { value: (s) => s / 60, hours })),
    card('Agents', `/api/admin/reports/agents?${q}&format=csv`,
      table(['Agent', ...FIGURE_HEADERS, 'Sent', 'Online / busy / away', 'Peak load'], agents.rows.map((r) => [
        h('strong', {}, r.name), ...figureCells(r), num(r.messages_sent),
        h('span', { class: 'times' }, `${duration(r.online_secs)} / ${duration(r.busy_secs)} / ${duration(r.away_secs)}`),
        num(r.peak_concurrent)]), 'No agents.')),
    card('Groups', `/api/admin/reports/groups?${q}&format=csv`,
      table(['Group', ...FIGURE_HEADERS], groups.rows.map((r) => [h('strong', {}, r.name), ...figureCells(r)]), 'No groups.')),
    h('div', { class: 'report-pair' },
      card('Satisfaction', `/api/admin/reports/csat?${q}&format=csv`,
        h('div', { class: 'csat-head' },
          h('span', { class: 'stat-value' }, csat.average == null ? '—' : csat.average.toFixed(2)),
          h('span', { class: 'muted' }, ` average of ${csat.rated} rating${csat.rated === 1 ? '' : 's'}`)),
        ratingBars(csat.distribution)),
      card('Busiest hours', `/api/admin/reports/heatmap?${q}&format=csv`, heatGrid(heat.cells))),
    card('Comments', `/api/admin/reports/csat/comments?${q}&format=csv`,
      comments.comments.length > SHOWN_COMMENTS
        ? h('p', { class: 'muted' }, `The newest ${SHOWN_COMMENTS} of ${comments.comments.length}; the CSV has them all.`)
        : null,
      table(['Rating', 'Comment', 'Started'], comments.comments.slice(0, SHOWN_COMMENTS).map((c) => [
        '★'.repeat(c.rating), c.comment, new Date(c.started_at).toLocaleString()]), 'No comments in this range.')),
  );
}

export async function renderReports(root) {
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86_400_000);
  const from = h('input', { type: 'date', name: 'from', value: isoDay(weekAgo) });
  const to = h('input', { type: 'date', name: 'to', value: isoDay(today) });
  const interval = h('select', { name: 'interval' },
    h('option', { value: 'day' }, 'By day'), h('option', { value: 'hour' }, 'By hour'));
  const pick = {
    agent: h('select', { name: 'agent_id' }, h('option', { value: '' }, 'All agents')),
    group: h('select', { name: 'group_id' }, h('option', { value: '' }, 'All groups')),
  };
  const error = h('div', { class: 'error', role: 'alert' });
  const out = h('div', { class: 'report-body' });
  const show = async () => {
    error.textContent = '';
    try {
      await draw(out, { from: from.value, to: to.value, interval: interval.value }, pick);
    } catch (e) {
      error.textContent = e.fields?.length ? e.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : e.message;
    }
  };
  mount(root,
    h('form', { class: 'card range', onsubmit: (ev) => (ev.preventDefault(), show()) },
      h('label', {}, 'From', from), h('label', {}, 'To', to), h('label', {}, 'Interval', interval),
      h('label', {}, 'Agent', pick.agent), h('label', {}, 'Group', pick.group),
      h('button', { class: 'primary', type: 'submit' }, 'Show'),
      h('a', { class: 'monitor-link', href: '/admin/monitor', target: '_blank' }, 'Live monitor ↗'),
      error),
    out);
  await show();
}
