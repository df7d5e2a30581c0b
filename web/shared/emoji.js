// A small vendored emoji set (common emoji by category) and the picker used by the widget's
// and the workspace's composers. Built from elements and text nodes only.

export const EMOJI = [
  { id: 'smileys', icon: '😀', label: { en: 'Smileys', zh: '表情' }, list:
    '😀 😃 😄 😁 😆 😅 🤣 😂 🙂 🙃 😉 😊 😇 🥰 😍 🤩 😘 😗 😚 😙 😋 😛 😜 🤪 😝 🤑 🤗 🤭 🤫 🤔 🤐 🤨 😐 😑 😶 😏 😒 🙄 😬 😌 😔 😪 🤤 😴 😷 🤒 🤕 🤢 🤮 🥵 🥶 🥴 😵 🤯 🤠 🥳 😎 🤓 🧐 😕 😟 🙁 😮 😯 😲 😳 🥺 😦 😧 😨 😰 😥 😢 😭 😱 😖 😣 😞 😓 😩 😫 🥱 😤 😡 😠 🤬 😈 💀 💩 🤡 👻 👽 🤖' },
  { id: 'people', icon: '👍', label: { en: 'People', zh: '手势' }, list:
    '👋 🤚 🖐️ ✋ 🖖 👌 🤏 ✌️ 🤞 🤟 🤘 🤙 👈 👉 👆 👇 ☝️ 👍 👎 ✊ 👊 🤛 🤜 👏 🙌 👐 🤲 🤝 🙏 ✍️ 💪 👀 👁️ 🧠 👶 🧒 👦 👧 🧑 👨 👩 🧓 👴 👵 🙋 🙅 🙆 💁 🤷 🤦 🙇 👮 👷 💂 🕵️ 👩‍💻 👨‍💻 👩‍🔧 🧑‍🚀 🏃 🚶 💃 🕺 👯 🧘' },
  { id: 'hearts', icon: '❤️', label: { en: 'Symbols', zh: '符号' }, list:
    '❤️ 🧡 💛 💚 💙 💜 🖤 🤍 🤎 💔 ❣️ 💕 💞 💓 💗 💖 💘 💝 💯 💢 💥 💫 💦 💨 💬 💭 💤 ✅ ☑️ ✔️ ❌ ❎ ➕ ➖ ➗ ❓ ❔ ❗ ❕ ‼️ ⁉️ ⚠️ 🚫 ⛔ 🔞 ♻️ 🔔 🔕 🎵 🎶 ⭐ 🌟 ✨ ⚡ 🔥 🆗 🆕 🆓 🆒 🔝 🔴 🟠 🟡 🟢 🔵 🟣 ⚫ ⚪' },
  { id: 'nature', icon: '🐶', label: { en: 'Nature', zh: '自然' }, list:
    '🐶 🐱 🐭 🐹 🐰 🦊 🐻 🐼 🐨 🐯 🦁 🐮 🐷 🐸 🐵 🙈 🙉 🙊 🐔 🐧 🐦 🐤 🦆 🦅 🦉 🐺 🐴 🦄 🐝 🐛 🦋 🐌 🐞 🐢 🐍 🐙 🦀 🐠 🐟 🐬 🐳 🦈 🐊 🐘 🦒 🐪 🌵 🎄 🌲 🌳 🌴 🌱 🌿 🍀 🍁 🍂 🍃 🌷 🌹 🌺 🌸 🌼 🌻 🌞 🌝 🌛 🌈 ☀️ ⛅ ☁️ 🌧️ ⛈️ ❄️ ☃️ 🌊' },
  { id: 'food', icon: '🍕', label: { en: 'Food', zh: '食物' }, list:
    '🍏 🍎 🍐 🍊 🍋 🍌 🍉 🍇 🍓 🍈 🍒 🍑 🥭 🍍 🥥 🥝 🍅 🥑 🥦 🥕 🌽 🌶️ 🥔 🍞 🥐 🥖 🧀 🥚 🍳 🥞 🥓 🍗 🍖 🌭 🍔 🍟 🍕 🥪 🌮 🌯 🥗 🍝 🍜 🍲 🍛 🍣 🍱 🥟 🍤 🍙 🍚 🍘 🍥 🥮 🍡 🍦 🍧 🍨 🍩 🍪 🎂 🍰 🧁 🍫 🍬 🍭 🍮 🍯 🍼 ☕ 🍵 🧃 🥤 🍺 🍻 🥂 🍷 🍸' },
  { id: 'travel', icon: '✈️', label: { en: 'Travel', zh: '出行' }, list:
    '🚗 🚕 🚙 🚌 🚎 🏎️ 🚓 🚑 🚒 🚐 🚚 🚛 🚜 🛵 🏍️ 🚲 🛴 🚨 🚔 🚍 🚘 🚖 🚡 🚠 🚟 🚃 🚋 🚝 🚄 🚅 🚈 🚂 🚆 🚇 🚊 🚉 ✈️ 🛫 🛬 🚀 🛸 🚁 ⛵ 🚤 🛳️ ⛴️ 🚢 ⚓ ⛽ 🚧 🚦 🗺️ 🗽 🗼 🏰 🏯 🏟️ 🎡 🎢 🏖️ 🏝️ ⛰️ 🏔️ 🗻 🏕️ 🏠 🏡 🏢 🏬 🏥 🏦 🏨 🏪 🏫' },
  { id: 'objects', icon: '💡', label: { en: 'Objects', zh: '物品' }, list:
    '⌚ 📱 💻 ⌨️ 🖥️ 🖨️ 🖱️ 💾 💿 📷 📹 🎥 📞 ☎️ 📺 📻 ⏰ ⏳ 🔋 🔌 💡 🔦 💸 💵 💴 💶 💷 💰 💳 🧾 💎 🔧 🔨 🛠️ 🔩 ⚙️ 🔑 🗝️ 🔒 🔓 📦 📫 📮 ✉️ 📧 📨 📝 📁 📂 📅 📆 📈 📉 📊 📋 📌 📍 📎 🖇️ ✂️ 🖊️ ✏️ 🔍 🔎 🎁 🎈 🎉 🎊 🏆 🥇 🎯 🎮 🧩' },
];

/** Inserts `text` at the caret of a textarea or input (replacing a selection) and tells listeners. */
export function insertAtCaret(input, text) {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  input.value = input.value.slice(0, start) + text + input.value.slice(end);
  const caret = start + text.length;
  input.setSelectionRange?.(caret, caret);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.focus();
}

/**
 * A toggle button and its picker panel. `onPick(emoji)` gets the chosen emoji; `lang` is
 * 'en' or 'zh' for the labels. Escape or a second click on the button closes it.
 */
export function createEmojiPicker({ onPick, lang = 'en', title = lang === 'zh' ? '表情' : 'Emoji' }) {
  const make = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  };
  const button = make('button', { type: 'button', class: 'emoji-toggle', title, 'aria-label': title, 'aria-expanded': 'false', text: '😊' });
  const grid = make('div', { class: 'emoji-grid', role: 'listbox', 'aria-label': title });
  const tabs = make('div', { class: 'emoji-tabs', role: 'tablist' });
  const panel = make('div', { class: 'emoji-panel', role: 'dialog', 'aria-label': title }, tabs, grid);
  panel.hidden = true;

  function showGroup(group) {
    for (const t of tabs.children) t.setAttribute('aria-selected', String(t.dataset.group === group.id));
    grid.replaceChildren(...group.list.split(' ').map((e) => {
      const b = make('button', { type: 'button', class: 'emoji', role: 'option', title: e, text: e });
      b.addEventListener('click', () => { onPick(e); close(); });
      return b;
    }));
  }
  for (const g of EMOJI) {
    const tab = make('button', { type: 'button', role: 'tab', class: 'emoji-tab', title: g.label[lang] || g.label.en, 'aria-label': g.label[lang] || g.label.en, text: g.icon });
    tab.dataset.group = g.id;
    tab.addEventListener('click', () => showGroup(g));
    tabs.append(tab);
  }
  showGroup(EMOJI[0]);

  function open() { panel.hidden = false; button.setAttribute('aria-expanded', 'true'); grid.querySelector('button')?.focus(); }
  function close() { panel.hidden = true; button.setAttribute('aria-expanded', 'false'); }
  button.addEventListener('click', () => (panel.hidden ? open() : close()));
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); close(); button.focus(); } });
  return { button, panel, close };
}

/** The picker's look, for the widget's shadow root and the workspace's stylesheet alike. */
export const EMOJI_CSS = `
.emoji-toggle { font-size: 20px; line-height: 1; padding: 8px 2px; background: none; border: 0; cursor: pointer; filter: grayscale(.3); }
.emoji-toggle:hover, .emoji-toggle[aria-expanded="true"] { filter: none; }
.emoji-panel { border: 1px solid #e2e2ea; border-radius: 12px; background: #fff; box-shadow: 0 8px 24px rgba(20,20,40,.14); padding: 6px; }
.emoji-panel[hidden] { display: none; }
.emoji-tabs { display: flex; gap: 2px; border-bottom: 1px solid #eee; padding-bottom: 4px; margin-bottom: 4px; }
.emoji-tab { font-size: 16px; padding: 4px 6px; border-radius: 6px; background: none; border: 0; cursor: pointer; }
.emoji-tab[aria-selected="true"] { background: #eef0fb; }
.emoji-grid { display: grid; grid-template-columns: repeat(8, 1fr); gap: 2px; max-height: 168px; overflow-y: auto; }
.emoji { font-size: 20px; line-height: 1; padding: 4px; border-radius: 6px; background: none; border: 0; cursor: pointer; }
.emoji:hover, .emoji:focus-visible { background: #eef0fb; }
`;
