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

test('a send that succeeded leaves its fields sent, even where the form keeps them; a field changed meanwhile stays unsent', async () => {
  const { body, type } = page();
  const { sending } = await import('../js/unsent.js');
  const comment = h('textarea', { id: 'judge-comment' });
  const points = h('input', { id: 'judge-points', type: 'text' });
  const form = h('form', {}, comment, points);
  body.append(form);
  type(comment, 'Names the domain.');
  type(points, '5');
  const sent = sending(form);
  type(points, '6'); // changed while the command was on its way
  sent();
  assert.deepEqual(unsentFields().map((el) => el.getAttribute('id')), ['judge-points']);
});

test('a part that tells its own unsent work is left to it', () => {
  const { body, type } = page();
  const field = h('textarea', { id: 'aar-strengths-0-text' });
  const editor = h('section', { id: 'aar', dataset: { ownUnsent: '' } }, field);
  body.append(editor);
  type(field, 'Fast triage');
  assert.deepEqual(unsentFields(), [], 'the editor\'s fields are listed besides the editor itself');
});

test('the AAR editor counts its edits as unsaved until they are saved, not the defaults it fills in', async (tc) => {
  const { body, type } = page();
  const { AAREditor } = await import('../js/aar.js');
  const document0 = {
    strengths: [{ id: 'S1', text: 'Fast triage' }],
    improvements: [{ id: 'A1', text: 'Escalation was late' }], // no priority: the editor fills one in
    plan: [],
  };
  const realFetch = globalThis.fetch;
  tc.after(() => { globalThis.fetch = realFetch; });
  globalThis.fetch = async () => ({ ok: true, status: 200, headers: { get: () => 'application/json' }, text: async () => JSON.stringify({ document: document0, draft: document0, organisations: [], statuses: ['not_started'], capabilities: [] }) });
  const sent = [];
  const ctx = { session: { exercise: 'x' }, you: { name: 'Lia' }, socket: { on: () => {}, state: 'online', command: async (c) => { sent.push(c); return {}; } } };
  const root = h('section', { id: 'aar' });
  body.append(root);
  const ed = new AAREditor(root, ctx);
  await ed.load();
  assert.equal(ed.unsaved(), false, 'a document just loaded, its defaults filled in, counts as unsaved');
  const text = root.querySelector('#aar-strengths-0-text');
  type(text, 'Fast triage by the on-call team');
  text.fire('input');
  assert.equal(ed.unsaved(), true, 'an edit is not seen');
  root.querySelector('#aar-form').fire('submit', { preventDefault() {} });
  await new Promise((resolve) => { setTimeout(resolve, 10); });
  assert.equal(sent.length, 1);
  assert.equal(ed.unsaved(), false, 'a saved edit still counts');
});
