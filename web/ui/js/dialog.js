// An in-page confirmation dialog (a <dialog>, so keyboard users get focus
// handling and Escape for free), instead of window.confirm, which browser
// tests cannot always see.
import { h, replace } from './dom.js';
import { t } from './i18n.js';

let dlg = null;

function build() {
  const title = h('h2', { id: 'confirm-title', class: 'dialog-title' });
  const msg = h('p', { id: 'confirm-message' });
  const list = h('ul', { id: 'confirm-list', class: 'confirm-list' });
  const reasonLabel = h('label', { for: 'confirm-reason', class: 'field-label' }, t('ui.dialog.reason'));
  const reason = h('input', { id: 'confirm-reason', type: 'text', maxlength: '500', autocomplete: 'off' });
  const reasonWrap = h('div', { class: 'field', id: 'confirm-reason-field' }, reasonLabel, reason);
  const ok = h('button', { type: 'submit', id: 'confirm-ok', class: 'btn btn-danger', value: 'ok' }, t('ui.ok'));
  const cancel = h('button', { type: 'button', id: 'confirm-cancel', class: 'btn' }, t('ui.cancel'));
  const form = h('form', { method: 'dialog', class: 'dialog-form' }, title, msg, list, reasonWrap,
    h('div', { class: 'dialog-buttons' }, cancel, ok));
  const d = h('dialog', { id: 'confirm-dialog', class: 'dialog', 'aria-labelledby': 'confirm-title' }, form);
  cancel.addEventListener('click', () => d.close('cancel'));
  document.body.appendChild(d);
  return { d, title, msg, list, reason, reasonWrap, ok, cancel };
}

/**
 * confirmDialog asks a question; resolves {ok, reason}.
 * Options: title, message, items (a list of lines under the message, e.g.
 * what would expire), okLabel, danger (red OK button), reason (show a
 * reason field), cancelFirst (the keyboard starts on Cancel, not OK: for
 * an OK that loses something the person made).
 */
export function confirmDialog({ title = t('ui.dialog.sure'), message = '', items = [], okLabel = t('ui.ok'), danger = true, reason = false, cancelFirst = false } = {}) {
  if (!dlg) dlg = build();
  const { d } = dlg;
  dlg.title.textContent = title;
  dlg.msg.textContent = message;
  replace(dlg.list, items.map((item) => h('li', null, item)));
  dlg.list.hidden = !items.length;
  dlg.ok.textContent = okLabel;
  dlg.ok.className = `btn ${danger ? 'btn-danger' : 'btn-primary'}`;
  dlg.reasonWrap.hidden = !reason;
  dlg.reason.value = '';
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const onClose = () => {
      d.removeEventListener('close', onClose);
      if (opener && typeof opener.focus === 'function') opener.focus();
      resolve({ ok: d.returnValue === 'ok', reason: dlg.reason.value.trim() });
    };
    d.returnValue = '';
    d.addEventListener('close', onClose);
    d.showModal();
    (reason ? dlg.reason : cancelFirst ? dlg.cancel : dlg.ok).focus();
  });
}
