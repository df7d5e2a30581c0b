// Charts of the Reports page: time series through the vendored uPlot (web/vendor/), and the
// CSAT bars and busiest-hours grid as plain elements.

import uPlot from '../vendor/uPlot.esm.js';
import { h } from '../shared/dom.js';

const COLORS = ['#3b63f6', '#1f9d55', '#d93b3b', '#d98b00', '#7c3aed'];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Seconds since the epoch of a bucket label ("2026-03-02" or "2026-03-02T09:00+01:00"). */
function at(bucket) {
  const ms = bucket.length === 10 ? Date.parse(`${bucket}T00:00:00`) : Date.parse(bucket);
  return ms / 1000;
}

/**
 * A line chart of `series` ([label, key, scale]) over the rows of a report by time; `value`
 * turns a row's field into the plotted number.
 */
export function timeChart(rows, series, { value = (v) => v, width = 900, height = 260, hours = false } = {}) {
  const box = h('div', { class: 'chart' });
  const data = [rows.map((r) => at(r.bucket)), ...series.map(([, key]) => rows.map((r) => (r[key] == null ? null : value(r[key]))))];
  const opts = {
    width,
    height,
    legend: { live: false },
    padding: [12, 48, 0, 0], // room for the last date label
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    // By day: one tick per day at most, labelled with the date only.
    axes: [hours ? { space: 60 } : {
      space: 50,
      incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400],
      values: (u, splits) => splits.map((t) => new Date(t * 1000).toLocaleDateString(undefined, { weekday: 'short', month: 'numeric', day: 'numeric' })),
    }, { size: 56 }],
    series: [{}, ...series.map(([label], i) => ({
      label, stroke: COLORS[i % COLORS.length], width: 2, points: { size: 5 }, spanGaps: true,
    }))],
  };
  // uPlot measures its container: draw once the element is in the page.
  requestAnimationFrame(() => {
    const plot = new uPlot(opts, data, box);
    const fit = () => plot.setSize({ width: Math.max(320, box.clientWidth), height });
    fit();
    new ResizeObserver(fit).observe(box);
  });
  return box;
}

/** CSAT: one bar per rating 1–5. */
export function ratingBars(distribution) {
  const most = Math.max(1, ...distribution.map((d) => d.count));
  return h('div', { class: 'rating-bars' }, distribution.slice().reverse().map((d) =>
    h('div', { class: 'rating-row', dataset: { rating: d.rating } },
      h('span', { class: 'rating-label' }, `${'★'.repeat(d.rating)}`),
      h('div', { class: 'rating-track' }, h('span', { style: { width: `${(100 * d.count) / most}%` } })),
      h('span', { class: 'rating-count' }, d.count))));
}

/** Busiest hours: weekdays down, local hours across, darker = more conversations started. */
export function heatGrid(cells) {
  const most = Math.max(1, ...cells.map((c) => c.started));
  const grid = h('div', { class: 'heat' }, h('span'), Array.from({ length: 24 }, (_, hr) => h('span', { class: 'heat-hour' }, hr % 3 === 0 ? String(hr).padStart(2, '0') : '')));
  for (let day = 1; day <= 7; day++) {
    grid.append(h('span', { class: 'heat-day' }, WEEKDAYS[day - 1]));
    for (const c of cells.filter((x) => x.weekday === day)) {
      const level = c.started / most;
      grid.append(h('span', {
        class: 'heat-cell',
        title: `${WEEKDAYS[day - 1]} ${String(c.hour).padStart(2, '0')}:00 — ${c.started}`,
        dataset: { started: c.started },
        style: { background: c.started ? `rgba(59, 99, 246, ${0.15 + 0.85 * level})` : '#f1f3f6' },
      }));
    }
  }
  return grid;
}
