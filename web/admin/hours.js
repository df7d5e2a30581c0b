// Business hours as one text box per weekday: "9-17", "09:00-17:00" or "09:00-12:00, 13:00-17:00";
// empty means closed that day, and no day at all filled means always open (the API's `{}`).

import { h } from '../shared/dom.js';

export const DAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];

export function hoursFields(hours) {
  return h('div', { class: 'hours' }, DAYS.map(([key, label], i) =>
    h('label', { class: 'hours-row' }, h('span', {}, label),
      h('input', { name: `hours_${key}`, placeholder: i === 0 ? 'e.g. 9-17 or 09:00-12:00, 13:00-17:30' : '', value: (hours[key] ?? []).map(([a, b]) => `${a}-${b}`).join(', ') }))));
}

/** Reads the boxes back into `{mon: [["09:00","17:00"]], …}`; the server checks the times. */
export function readHours(form) {
  const out = {};
  for (const [key] of DAYS) {
    const text = form.querySelector(`[name=hours_${key}]`).value.trim();
    if (!text) continue;
    out[key] = text.split(',').map((range) => range.split('-').map((s) => s.trim())).map(([a, b]) => [a ?? '', b ?? '']);
  }
  return out;
}
