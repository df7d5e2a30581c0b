// Routing scripts: a Lua function route(visitor, agents, groups) that picks a group or an agent
// for new conversations. Write a version, try it on a sample visitor, activate it.

import { h, mount } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, table } from './form.js';

const STARTER = `function route(visitor, agents, groups)
  -- visitor: page, referrer, language, country, attributes, visits, sentiment, previous_agent
  if visitor.page and string.find(visitor.page, "/pricing", 1, true) then
    return {group = "Sales"}
  end
  return nil -- default routing
end
`;

const when = (at) => new Date(at).toLocaleString();

/** The sample form's values as the test route's visitor. */
function sampleVisitor(v) {
  const visitor = { visits: Number(v.visits || 0) };
  for (const k of ['page', 'referrer', 'language', 'country', 'previous_agent']) if (v[k]) visitor[k] = v[k];
  if (v.sentiment !== '') visitor.sentiment = Number(v.sentiment);
  visitor.attributes = v.attributes.trim() ? JSON.parse(v.attributes) : {};
  return visitor;
}

export async function renderRouting(root) {
  const list = await api('GET', '/api/admin/routing-scripts');
  const reload = () => renderRouting(root);
  const latest = list.versions[0];
  const result = h('pre', { class: 'script-result muted', 'aria-live': 'polite' }, 'No test run yet.');

  const editor = apiForm([
    h('h2', {}, 'Script'),
    field('Source (Lua 5.4)', h('textarea', {
      name: 'source', rows: 14, spellcheck: 'false', class: 'code', value: latest?.source ?? STARTER,
    }), 'Saving stores a new version; it is used only once activated.'),
  ], async (f) => {
    await api('POST', '/api/admin/routing-scripts', { source: new FormData(f).get('source') });
    await reload();
  }, { submitText: 'Save as new version' });

  const tester = apiForm([
    h('h2', {}, 'Test against a sample visitor'),
    h('div', { class: 'grid2' },
      field('Page', input('page', { placeholder: 'https://shop.example/pricing' })),
      field('Referrer', input('referrer', { placeholder: 'https://www.google.com/' })),
      field('Language', input('language', { placeholder: 'en' })),
      field('Country', input('country', { placeholder: 'FR' })),
      field('Visits', input('visits', { type: 'number', min: 0, value: '1' })),
      field('Sentiment (−1 … 1)', input('sentiment', { type: 'number', min: -1, max: 1, step: 0.1, placeholder: 'none' })),
      field('Previous agent id', input('previous_agent')),
    ),
    field('Verified attributes (JSON)', h('textarea', { name: 'attributes', rows: 2, class: 'code', placeholder: '{"plan": "gold"}' }), null, 'visitor'),
    field('Version', h('select', { name: 'id' },
      list.versions.map((s) => h('option', { value: s.id }, `v${s.version}${s.active ? ' (active)' : ''}`)))),
    result,
  ], async (f) => {
    const v = Object.fromEntries(new FormData(f));
    if (!v.id) throw new Error('Save a version first.');
    let visitor;
    try {
      visitor = sampleVisitor(v);
    } catch {
      throw { message: 'attributes: not valid JSON', fields: [{ field: 'visitor', message: 'not valid JSON' }] };
    }
    const out = await api('POST', `/api/admin/routing-scripts/${v.id}/test`, { visitor });
    result.classList.toggle('error', !out.ok);
    result.classList.remove('muted');
    result.textContent = out.ok
      ? (out.decision ? `Decision: ${JSON.stringify(out.decision)}` : 'Decision: default routing (nil)')
      : `Error: ${out.error}`;
  }, { submitText: 'Run test' });

  const rows = list.versions.map((s) => [
    h('strong', {}, `v${s.version}`),
    when(s.created_at),
    s.active ? h('span', { class: 'badge on' }, 'active') : '',
    h('div', { class: 'row-actions' },
      h('button', { onclick: () => { editor.querySelector('textarea').value = s.source; } }, 'Edit a copy'),
      s.active
        ? h('button', { onclick: async () => { await api('POST', '/api/admin/routing-scripts/deactivate'); await reload(); } }, 'Deactivate')
        : h('button', { class: 'primary', onclick: async () => { await api('POST', `/api/admin/routing-scripts/${s.id}/activate`); await reload(); } }, 'Activate'),
    ),
  ]);

  mount(root,
    h('div', { class: 'card' },
      h('p', { class: 'muted' }, 'A routing script decides where a new conversation goes: return {group = …, agent = …, priority = …} or nil for the default strategy. It runs sandboxed (no files, no network, 1 million instructions, 4 MiB, 100 ms); if it fails, routing falls back to the default and the error shows here.'),
      h('p', { class: 'status-line' }, list.active_version ? `Active: v${list.active_version}` : 'No active script — default routing.'),
      list.last_error
        ? h('p', { class: 'error last-error', role: 'alert' }, `Last failure (v${list.last_error.version}, ${when(list.last_error.at)}): ${list.last_error.message}`)
        : null,
      table(['Version', 'Saved', 'State', ''], rows, 'No versions yet.')),
    editor, tester);
}
