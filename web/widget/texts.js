// The tenant's widget texts in the visitor's language: the first of navigator.languages that
// the tenant enabled (exactly, like zh-tw, or by its language, like zh for zh-CN), else the
// tenant's default language. Empty texts fall back to the tenant's welcome and offline
// messages and to the widget's built-in labels.
import { t } from './i18n.js';

export function pickLanguage(settings, wanted = navigator.languages?.length ? navigator.languages : [navigator.language || 'en']) {
  const enabled = settings.languages || {};
  for (const raw of wanted) {
    const tag = String(raw).toLowerCase();
    if (enabled[tag]) return tag;
    const primary = tag.split('-')[0];
    if (enabled[primary]) return primary;
  }
  return enabled[settings.default_language] ? settings.default_language : null;
}

/** The texts the widget shows, with every fallback applied. */
export function textsFor(settings) {
  const lang = pickLanguage(settings);
  const own = (lang && settings.languages[lang]) || {};
  const labels = own.field_labels || {};
  return {
    lang,
    welcome: own.welcome_message || settings.welcome_message || '',
    offline: own.offline_message || settings.offline_message || '',
    prechatTitle: own.prechat_title || '',
    name: own.name_label || t.name,
    email: own.email_label || t.email,
    submit: own.submit_label || t.start,
    field: (f) => labels[f.key] || f.label,
  };
}
