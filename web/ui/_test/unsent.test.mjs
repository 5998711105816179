import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeDOM } from './fakedom.mjs';
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { watchTyping, unsentFields, fieldName } from '../js/unsent.js';

/** page makes a body with watchTyping on, and type(el, text) as a person's typing (an input event). */
function page() {
  const body = installFakeDOM();
  watchTyping();
  const type = (el, text) => { el.value = text; document.fire('input', { target: el }); };
  return { body, type };
}

test('typed text not sent is unsent; text the page filled in, emptied or gone is not', () => {
  const { body, type } = page();
  const note = h('textarea', { id: 'note-text' });
  const template = h('textarea', { id: 'simcell-text-4' });
  const sent = h('textarea', { id: 'eeg-text' });
  const subject = h('input', { id: 'msg-subject', type: 'text' });
  const gone = h('textarea', { id: 'report-text' });
  const reason = h('input', { id: 'confirm-reason', type: 'text' });
  body.append(note, template, sent, subject, gone, h('dialog', { id: 'confirm-dialog' }, reason));
  type(note, 'Room B has no projector');
  template.value = 'Ministry of ICT here. Thank you'; // filled in by the page, never typed in
  type(sent, 'Sent already');
  sent.value = ''; // a form sent empties its fields
  type(subject, '   ');
  type(gone, 'A report');
  gone.remove(); // its form closed
  type(reason, 'the dialog asks its own reason');
  assert.deepEqual(unsentFields().map((el) => el.getAttribute('id')), ['note-text']);
  type(subject, 'Indicators for PeCERT');
  assert.deepEqual(unsentFields().map((el) => el.getAttribute('id')), ['note-text', 'msg-subject']);
});

test('a field is named by its label, else its aria-label, else as a text field', () => {
  const { body } = page();
  const labelled = h('textarea', { id: 'note-text' });
  const aria = h('textarea', { id: 'x', 'aria-label': 'Reply to colCERT' });
  const bare = h('textarea', {});
  body.append(h('label', { for: 'note-text' }, ' Observation '), labelled, aria, bare);
  assert.equal(fieldName(labelled), 'Observation');
  assert.equal(fieldName(aria), 'Reply to colCERT');
  assert.equal(fieldName(bare), t('ui.unsent.field'));
});
