// The /api/docs page: lists every operation of /api/openapi.json by tag (a file, not inline,
// so the page runs under the same Content-Security-Policy as the others).
const out = document.getElementById('out');
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => e.setAttribute(k, v));
  kids.forEach(k => e.append(k));
  return e;
};
const doc = await (await fetch('/api/openapi.json')).json();
const refName = r => r && r.$ref ? r.$ref.split('/').pop() : null;
const schemaText = s => {
  if (!s) return '';
  const name = refName(s);
  const target = name ? doc.components.schemas[name] : s;
  return (name ? name + ' ' : '') + JSON.stringify(target, null, 2);
};
const byTag = {};
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    const tag = (op.tags || ['other'])[0];
    (byTag[tag] ||= []).push({ path, method, op });
  }
}
out.textContent = '';
for (const [tag, ops] of Object.entries(byTag)) {
  out.append(el('h2', {}, tag));
  for (const { path, method, op } of ops) {
    const scopes = (op.security || []).flatMap(s => Object.values(s).flat());
    const summary = el('summary', {}, el('span', { class: `m ${method}` }, method.toUpperCase()), el('code', {}, path),
      el('span', {}, op.summary || ''), el('span', { class: 'scope' }, scopes.length ? `needs ${scopes.join(', ')}` : 'public'));
    const body = el('div', { class: 'body' });
    if (op.description) body.append(el('p', {}, op.description));
    if (op.parameters?.length) {
      const t = el('table');
      op.parameters.forEach(p => t.append(el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in), el('td', {}, p.description || ''))));
      body.append(el('h4', {}, 'Parameters'), t);
    }
    const req = op.requestBody?.content?.['application/json']?.schema;
    if (req) body.append(el('h4', {}, 'Request body'), el('pre', {}, schemaText(req)));
    const t = el('table');
    Object.entries(op.responses || {}).forEach(([code, r]) => {
      const s = r.content?.['application/json']?.schema;
      t.append(el('tr', {}, el('td', {}, el('b', {}, code)), el('td', {}, r.description || ''), el('td', {}, refName(s) || (s?.type === 'array' ? `[${refName(s.items)}]` : ''))));
    });
    body.append(el('h4', {}, 'Responses'), t);
    out.append(el('details', {}, summary, body));
  }
}
