// A small modal built on <dialog>: a title, a form body and OK/Cancel. Resolves with the form's
// values on OK, or null.

import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';

export function ask(title, fields, okText = 'OK', { danger = false } = {}) {
  return new Promise((resolve) => {
    const form = h('form', { method: 'dialog', class: 'modal-form' },
      h('h3', {}, title),
      fields,
      h('div', { class: 'modal-buttons' },
        h('button', { type: 'button', value: 'cancel', onclick: () => dialog.close('cancel') }, t('cancel')),
        h('button', { class: danger ? 'primary danger-fill' : 'primary', value: 'ok' }, okText),
      ),
    );
    const dialog = h('dialog', { class: 'modal' }, form);
    dialog.addEventListener('close', () => {
      const values = Object.fromEntries(new FormData(form));
      dialog.remove();
      resolve(dialog.returnValue === 'ok' ? values : null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
