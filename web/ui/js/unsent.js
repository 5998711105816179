// Text a person has typed and not sent. A live console reloads to change
// its language, which would lose it: the console asks first.

import { t } from './i18n.js';
import { confirmDialog } from './dialog.js';

/**
 * watchTyping marks every text field a person types in (data-typed), so
 * that typed text is told from text the page filled in itself (a reply
 * template, a saved value).
 */
export function watchTyping(doc = document) {
  doc.addEventListener('input', (e) => {
    const el = e.target;
    if (el && typeof el.matches === 'function' && el.matches('textarea, input[type=text]')) el.dataset.typed = '1';
  }, true);
}

/**
 * unsentFields lists the fields of the page that hold text a person typed
 * and has not sent (a form sent empties its fields or goes), leaving out
 * the confirmation dialog's own reason.
 */
export function unsentFields(doc = document) {
  return [...doc.querySelectorAll('textarea[data-typed], input[data-typed]')]
    .filter((el) => el.isConnected && el.value.trim() !== '' && !el.closest('#confirm-dialog'));
}

/** fieldName is what the page calls a field: its label's text, else its aria-label, else a text field. */
export function fieldName(el, doc = document) {
  const id = el.getAttribute('id');
  const label = id && doc.querySelector(`label[for="${id}"]`);
  const name = (label && label.textContent.trim()) || el.getAttribute('aria-label') || '';
  return name || t('ui.unsent.field');
}

/**
 * mayLoseUnsent resolves true when the page may reload: it holds no unsent
 * text, or the person, told which fields hold some, chose to go on.
 */
export async function mayLoseUnsent(doc = document) {
  const fields = unsentFields(doc);
  if (!fields.length) return true;
  const { ok } = await confirmDialog({
    title: t('ui.unsent.title'),
    message: t('ui.unsent.message'),
    items: [...new Set(fields.map((el) => fieldName(el, doc)))],
    okLabel: t('ui.unsent.switch'),
    cancelFirst: true,
  });
  return ok;
}
