// The widget's stylesheet, applied inside its shadow root so the host page's CSS cannot reach
// it (`all: initial` on the host also stops inherited properties) and it cannot leak out.
export const css = `
:host { all: initial; }
/* The font and colour are set on the widget's own top elements, not inherited from the host
   element, which the page's own (even !important) rules can still reach. */
.launcher, .window { position: fixed; z-index: 2147483000; right: 20px;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "PingFang SC", "Microsoft YaHei", sans-serif;
  color: #1f2430; }
:host { --accent: #4f46e5; }
:host(.left) .launcher, :host(.left) .window { right: auto; left: 20px; }
* { box-sizing: border-box; font: inherit; color: inherit; }
button { cursor: pointer; border: 0; background: none; padding: 0; }
button:focus-visible, textarea:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.launcher { width: 60px; height: 60px; border-radius: 50%; background: var(--accent); color: #fff;
  box-shadow: 0 8px 24px rgba(20,20,40,.25); display: grid; place-items: center; bottom: 20px;
  transition: transform .2s ease; }
.launcher:hover { transform: scale(1.06); }
.launcher svg { width: 28px; height: 28px; fill: #fff; }
.badge { position: absolute; top: -2px; right: -2px; min-width: 20px; height: 20px; padding: 0 6px;
  border-radius: 10px; background: #e11d48; color: #fff; font-size: 12px; font-weight: 600;
  display: grid; place-items: center; border: 2px solid #fff; }
.badge[hidden] { display: none; }
.window { bottom: 96px; width: 370px; height: min(600px, calc(100vh - 110px));
  background: #fff; border-radius: 16px; box-shadow: 0 12px 48px rgba(20,20,40,.22), 0 2px 6px rgba(20,20,40,.08);
  display: flex; flex-direction: column; overflow: hidden; transform-origin: bottom right;
  animation: pop .22s cubic-bezier(.2,.9,.3,1.2); }
:host(.left) .window { transform-origin: bottom left; }
.window[hidden] { display: none; }
@keyframes pop { from { opacity: 0; transform: translateY(12px) scale(.96); } to { opacity: 1; transform: none; } }
header { background: var(--accent); color: #fff; padding: 16px 14px 16px 18px; display: flex; align-items: center; gap: 10px; }
header .avatar { background: rgba(255,255,255,.22); color: #fff; }
header h2 { margin: 0; font-size: 16px; font-weight: 650; flex: 1; }
header .sub { display: block; font-size: 12px; font-weight: 400; opacity: .85; }
header button { color: #fff; width: 32px; height: 32px; border-radius: 8px; display: grid; place-items: center; }
header button:hover { background: rgba(255,255,255,.15); }
header svg { width: 18px; height: 18px; fill: currentColor; }
.transcript-bar { display: flex; flex-wrap: wrap; gap: 6px; padding: 8px 12px; background: #f4f4fb; border-bottom: 1px solid #e6e6ef; }
.transcript-bar[hidden] { display: none; }
.transcript-bar input { flex: 1; min-width: 0; }
.transcript-bar .note { flex-basis: 100%; font-size: 12px; color: #4b5163; }
.transcript-bar .note:empty { display: none; }
.status { font-size: 12px; padding: 6px 16px; background: #f4f4fb; color: #4b5163; text-align: center; }
.status:empty { display: none; }
.list { flex: 1; overflow-y: auto; padding: 16px 14px 8px; display: flex; flex-direction: column; gap: 10px; background: #fafafc; }
.row { display: flex; gap: 8px; align-items: flex-end; max-width: 86%; }
.row.own { align-self: flex-end; flex-direction: row-reverse; }
.row.system { align-self: center; max-width: 92%; }
.avatar { width: 28px; height: 28px; border-radius: 50%; flex: none; background: #e4e4f0; color: #3b3f52;
  display: grid; place-items: center; font-size: 12px; font-weight: 650; }
.bubble { padding: 9px 13px; border-radius: 16px; background: #fff; border: 1px solid #ececf3;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.own .bubble { background: var(--accent); color: #fff; border-color: transparent; border-bottom-right-radius: 4px; }
.other .bubble { border-bottom-left-radius: 4px; }
.system .bubble { background: none; border: 0; color: #6b7080; font-size: 12.5px; text-align: center; padding: 2px; }
.meta { font-size: 11px; color: #8a8fa0; margin-top: 3px; }
.own .meta { text-align: right; }
.pending .bubble { opacity: .6; }
.row.card { align-self: stretch; }
.event-card { border: 1px solid #ececf3; border-left: 3px solid var(--accent); border-radius: 10px; background: #fff; padding: 8px 12px; font-size: 13px; display: grid; gap: 2px; }
.event-card .label { color: #6b7080; }
.event-card a { color: var(--accent); overflow-wrap: anywhere; }
.typing { font-size: 12px; color: #6b7080; padding: 0 18px 6px; background: #fafafc; min-height: 0; }
.typing[hidden] { display: none; }
.human { align-self: center; margin: 0 0 6px; padding: 3px 12px; font-size: 12px; border: 1px solid #d0d3dc; border-radius: 12px; background: #fff; color: #3a3f4b; cursor: pointer; }
.human[hidden] { display: none; }
.dots span { display: inline-block; width: 5px; height: 5px; margin-right: 3px; border-radius: 50%; background: #9aa0b0; animation: blink 1s infinite; }
.dots span:nth-child(2) { animation-delay: .2s; } .dots span:nth-child(3) { animation-delay: .4s; }
@keyframes blink { 50% { opacity: .2; } }
.composer { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid #ececf3; align-items: flex-end; background: #fff; }
.composer textarea:focus-visible, .panel input:focus-visible, .panel textarea:focus-visible {
  outline: none; border-color: var(--accent); box-shadow: 0 0 0 3px color-mix(in srgb, var(--accent) 20%, transparent); }
.composer textarea { flex: 1; resize: none; border: 1px solid #dcdce6; border-radius: 12px; padding: 9px 12px;
  max-height: 120px; min-height: 40px; background: #fff; color: #1f2430; }
.primary { background: var(--accent); color: #fff; border-radius: 10px; padding: 9px 14px; font-weight: 600; }
.primary:disabled { opacity: .5; cursor: default; }
.panel { padding: 16px; border-top: 1px solid #ececf3; display: flex; flex-direction: column; gap: 10px; background: #fff; }
.panel[hidden], .composer[hidden] { display: none; }
.panel h3 { margin: 0; font-size: 15px; font-weight: 650; }
.panel p { margin: 0; color: #4b5163; }
.panel label { display: flex; flex-direction: column; gap: 4px; font-size: 12.5px; color: #4b5163; }
.panel input, .panel textarea { border: 1px solid #dcdce6; border-radius: 10px; padding: 8px 10px; background: #fff; color: #1f2430; }
.panel-form { display: flex; flex-direction: column; gap: 10px; }
.stars { display: flex; gap: 6px; }
.stars button { font-size: 26px; line-height: 1; color: #d0d0dc; }
.stars button[aria-pressed="true"] { color: #f59e0b; }
.attach { padding: 8px 2px; background: none; color: #6b7080; }
.attach svg { width: 22px; height: 22px; fill: currentColor; }
.uploads { padding: 6px 14px; font-size: 12.5px; color: #4b5163; background: #fff; border-top: 1px solid #ececf3; display: flex; flex-direction: column; gap: 4px; }
.uploads[hidden] { display: none; }
.upload { display: flex; gap: 8px; align-items: center; }
.upload progress { flex: 1; }
.upload .error { color: #b00020; }
.upload .link { background: none; color: var(--accent); text-decoration: underline; padding: 0 2px; }
.bubble.media { padding: 4px; white-space: normal; }
.image-button { display: block; padding: 0; background: none; cursor: zoom-in; }
.image { display: block; max-width: 100%; max-height: 200px; border-radius: 12px; }
.file { padding: 5px 9px; }
.file-link { color: inherit; font-weight: 600; overflow-wrap: anywhere; }
.file-meta { font-size: 11.5px; opacity: .8; }
.lightbox { position: fixed; inset: 0; z-index: 2147483647; background: rgba(0, 0, 0, .85); display: grid; place-items: center; cursor: zoom-out; }
.lightbox img { max-width: 95vw; max-height: 95vh; }
.bubble code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; background: rgba(127,127,160,.15); border-radius: 4px; padding: 0 4px; }
.bubble a { color: inherit; text-decoration: underline; }
.bubble strong { font-weight: 700; } .bubble em { font-style: italic; }
.preview-notice { font-size: 11.5px; color: #8a5a00; background: #fff8e6; padding: 5px 14px; border-top: 1px solid #f3e3b5; }
.preview-notice[hidden] { display: none; }
.window > .emoji-panel { margin: 0 12px 6px; }
.panel select { border: 1px solid #dcdce6; border-radius: 10px; padding: 8px 10px; background: #fff; color: #1f2430; }
.field-error { color: #b00020; font-size: 12px; }
.field-error:empty { display: none; }
@media (max-width: 480px) {
  .window { position: fixed; inset: 0; width: 100vw; height: 100vh; height: 100dvh; border-radius: 0; bottom: 0; right: 0; left: 0; animation: none; }
  :host(.open) .launcher { display: none; }
}
`;
