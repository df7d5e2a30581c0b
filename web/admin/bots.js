// Bots (docs/bots.md): the chain that answers new conversations first (knowledge base, then a
// language model reached by URL), the model's settings (the key is write-only), the
// knowledge-base entries, and the visitor questions no entry answered.

import { h, mount, dateTime } from '../shared/dom.js';
import { api } from '../shared/api.js';
import { apiForm, field, input, select, table } from './form.js';

const CHAINS = [
  ['knowledge,model', 'Knowledge base, then the language model'],
  ['knowledge', 'Knowledge base only'],
  ['model', 'Language model only'],
];

const lines = (text) => String(text ?? '').split('\n').map((s) => s.trim()).filter(Boolean);

export async function renderBots(root) {
  const [s, entries, unanswered] = await Promise.all([
    api('GET', '/api/admin/bots'), api('GET', '/api/admin/knowledge'), api('GET', '/api/admin/knowledge/unanswered'),
  ]);
  const reload = () => renderBots(root);
  const c = s.config;
  const m = c.model;
  const chain = c.chain.join(',') || 'knowledge,model';
  const saved = h('p', { class: 'form-note', role: 'status' });
  const clearKey = h('input', { type: 'checkbox', name: 'clear_key' });

  const settings = apiForm([
    h('h2', {}, 'Chain'),
    field('Bots answer first', h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'enabled', checked: s.enabled }),
      ' New conversations start with the bots; they hand over to the queue when they cannot help'), null, 'enabled'),
    h('div', { class: 'grid2' },
      field('Order', select('chain', CHAINS, chain), null, 'chain'),
      field('Bot name', input('display_name', { required: true, value: c.display_name }), 'Shown to visitors', 'display_name'),
      field('Answers before a person takes over', input('max_turns', { type: 'number', min: 1, max: 100, value: String(c.max_turns) }), null, 'max_turns'),
      field('Knowledge-base confidence', input('threshold', { type: 'number', min: 0, max: 1, step: 0.05, value: String(c.knowledge.threshold) }),
        '0 to 1: below it the next bot is asked', 'knowledge'),
      field('Upset visitors to a person', input('handover_below', { type: 'number', min: -1, max: 1, step: 0.05, value: String(c.handover_below) }),
        'A message whose mood (−1 to 1) is below this goes to a person; −1: never', 'handover_below'),
    ),
    field('Handover text', h('textarea', { name: 'handover_message', rows: 2, value: c.handover_message }), null, 'handover_message'),
    h('h2', {}, 'Language model'),
    h('p', { class: 'muted' }, 'Any OpenAI-compatible chat-completions API: a hosted provider, or Ollama, vLLM, llama.cpp on your own network.'),
    h('div', { class: 'grid2' },
      field('Base URL', input('base_url', { value: m.base_url, placeholder: 'http://127.0.0.1:11434/v1' }), '…/chat/completions is called', 'model'),
      field('Model', input('model', { value: m.model, placeholder: 'qwen2.5:3b' })),
      field('API key', input('model_key', { type: 'password', autocomplete: 'new-password',
        placeholder: s.model_key_set ? '•••••••• (stored; leave empty to keep)' : 'none' }),
      s.model_key_set ? h('label', { class: 'check' }, clearKey, ' Remove the stored key') : 'Stored encrypted; never shown again.', 'model_key'),
      field('Timeout (ms)', input('timeout_ms', { type: 'number', min: 500, max: 120000, value: String(m.timeout_ms) })),
      field('Max tokens per answer', input('max_tokens', { type: 'number', min: 1, max: 8192, value: String(m.max_tokens) })),
      field('Monthly token cap', input('monthly_token_cap', { type: 'number', min: 0, value: String(m.monthly_token_cap) }),
        `0: no cap. Used in ${s.month}: ${s.tokens_this_month}`),
    ),
    field('Instructions', h('textarea', { name: 'instructions', rows: 3, value: m.instructions })),
    field('Streaming', h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'stream', checked: m.stream }), ' Show the answer to the visitor as it is written'), null, 'stream'),
    field('Hybrid mode', h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'hybrid', checked: c.hybrid }),
      ' In conversations an agent holds, the model drafts each reply; the agent edits and approves it before it is sent'), null, 'hybrid'),
  ], async (form) => {
    const d = new FormData(form);
    const body = {
      enabled: d.get('enabled') === 'on',
      config: {
        chain: String(d.get('chain')).split(','),
        display_name: d.get('display_name'),
        max_turns: Number(d.get('max_turns')),
        handover_message: d.get('handover_message'),
        handover_below: Number(d.get('handover_below')),
        knowledge: { threshold: Number(d.get('threshold')) },
        hybrid: d.get('hybrid') === 'on',
        model: {
          base_url: d.get('base_url'), model: d.get('model'), instructions: d.get('instructions'),
          timeout_ms: Number(d.get('timeout_ms')), max_tokens: Number(d.get('max_tokens')),
          monthly_token_cap: Number(d.get('monthly_token_cap')), history: m.history, stream: d.get('stream') === 'on',
        },
      },
    };
    if (d.get('clear_key') === 'on') body.model_key = null;
    else if (d.get('model_key')) body.model_key = d.get('model_key');
    await api('PUT', '/api/admin/bots', body);
    await reload();
    root.querySelector('.bot-settings .form-note').textContent = 'Saved.';
  }, { submitText: 'Save', className: 'bot-settings', status: saved });

  const editor = h('div');
  function entryForm(e) {
    return apiForm([
      h('h2', {}, e ? 'Edit entry' : 'New knowledge-base entry'),
      field('Questions', h('textarea', { name: 'questions', rows: 3, required: true, value: (e?.questions ?? []).join('\n'),
        placeholder: 'How do I reset my password?\nforgot password' }), 'One way of asking per line'),
      field('Answer', h('textarea', { name: 'answer', rows: 3, required: true, value: e?.answer ?? '' })),
      h('div', { class: 'grid2' },
        field('Tags', input('tags', { value: (e?.tags ?? []).join(', '), placeholder: 'account, billing' }), 'Comma-separated'),
        field('Language', input('language', { value: e?.language ?? 'en', placeholder: 'en, zh-CN' }))),
    ], async (f) => {
      const d = new FormData(f);
      const body = {
        questions: lines(d.get('questions')), answer: d.get('answer'),
        tags: String(d.get('tags')).split(',').map((t) => t.trim()).filter(Boolean), language: d.get('language'),
      };
      if (e) await api('PUT', `/api/admin/knowledge/${e.id}`, body);
      else await api('POST', '/api/admin/knowledge', body);
      await reload();
    }, { submitText: e ? 'Save' : 'Add entry', className: 'kb-entry' });
  }

  const rows = entries.map((e) => [
    h('div', {}, e.questions.map((q) => h('div', {}, q))),
    h('span', { class: 'clip' }, e.answer),
    e.language,
    `${e.helpful} helpful · ${e.unhelpful} not`,
    h('div', { class: 'row-actions' },
      h('button', { onclick: () => mount(editor, entryForm(e)) }, 'Edit'),
      h('button', { class: 'danger', onclick: async () => {
        await api('DELETE', `/api/admin/knowledge/${e.id}`);
        await reload();
      } }, 'Delete')),
  ]);
  const open = unanswered.map((u) => [u.question, u.outcome === 'answered' ? `answered by ${u.detail}` : `handed over (${u.detail})`, dateTime(u.created_at)]);
  mount(root,
    settings,
    h('div', { class: 'card kb-entries' }, h('h2', {}, 'Knowledge base'),
      table(['Questions', 'Answer', 'Language', 'Ratings', ''], rows, 'No entries yet.')),
    editor, entryForm(null),
    h('div', { class: 'card kb-unanswered' }, h('h2', {}, 'Unanswered questions'),
      table(['Question', 'Outcome', 'When'], open, 'None so far.')));
}
