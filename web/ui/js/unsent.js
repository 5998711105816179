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
 * sending notes what a send from form carries: call it before the send and
 * the function it returns once the send succeeded. The fields sent are no
 * longer unsent, even where the form keeps them (a judgement's comment, a
 * survey answer); a field changed while the send was on its way still is.
 */
export function sending(form) {
  if (!form) return () => {};
  const sent = [...form.querySelectorAll('textarea[data-typed], input[data-typed]')].map((el) => [el, el.value]);
  return () => { for (const [el, value] of sent) if (el.value === value) delete el.dataset.typed; };
}

/**
 * unsentFields lists the fields of the page that hold text a person typed
 * and has not sent, leaving out the confirmation dialog's own reason and
 * the fields of a part that tells its own unsent work (data-own-unsent;
 * see addUnsentCheck).
 */
export function unsentFields(doc = document) {
  return [...doc.querySelectorAll('textarea[data-typed], input[data-typed]')]
    .filter((el) => el.isConnected && el.value.trim() !== '' && !el.closest('#confirm-dialog') && !el.closest('[data-own-unsent]'));
}

const checks = new Set();

/**
 * addUnsentCheck adds a part of the page that keeps edits it has not
 * saved in memory (the AAR editor): check returns the names of what would
 * be lost, none when nothing would. It returns a function that removes it.
 */
export function addUnsentCheck(check) {
  checks.add(check);
  return () => checks.delete(check);
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
  const names = [...new Set([...unsentFields(doc).map((el) => fieldName(el, doc)), ...[...checks].flatMap((check) => check())])];
  if (!names.length) return true;
  const { ok } = await confirmDialog({
    title: t('ui.unsent.title'),
    message: t('ui.unsent.message'),
    items: names,
    okLabel: t('ui.unsent.switch'),
    cancelFirst: true,
  });
  return ok;
}
