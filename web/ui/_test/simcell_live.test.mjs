// Tests of the SimCell panel (js/simcell.js) over the DOM stand-in, fed
// status messages as the socket does about once a second: a send under
// way stays disabled, and an item another controller answers keeps the
// answer form open here, marked as answered. Run with
// `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { installFakeDOM } from './fakedom.mjs';
import { Directory } from '../js/model.js';
import { i18n } from '../js/i18n.js';

i18n.catalogs.set('en', JSON.parse(readFileSync(new URL('../../../internal/i18n/catalog/en.json', import.meta.url), 'utf8')));
i18n.lang = 'en';

const M = 60e9;

/**
 * panelOf mounts a SimCellPanel for Fran over the fake DOM (with the simple
 * selectors the panel may use) and returns it with a status feed and the
 * commands sent. answer(cmd) decides what the socket answers a command.
 */
async function panelOf() {
  const body = installFakeDOM();
  const { SimCellPanel } = await import('../js/simcell.js');
  const handlers = {};
  const sent = [];
  const socket = { state: 'online', on: (type, fn) => { handlers[type] = fn; }, command: (c) => { sent.push(c); return socket.answer(c); }, answer: async () => ({ seq: 90 }) };
  const ctx = {
    you: { name: 'Fran' }, socket,
    clock: { onTick() {}, now: () => 20 * M },
    dir: new Directory({ teams: [{ id: 'ar', name: 'CERT.ar' }], actors: [{ id: 'minenergia', name: 'Ministry of Energy' }] }),
  };
  const root = document.createElement('section');
  body.appendChild(root);
  const panel = new SimCellPanel(root, ctx);
  const status = (open, answered = []) => handlers.status({ status: { status: 'running', simcell: { open, answered } } });
  return { panel, root, status, sent, socket };
}

const item = (seq) => ({ seq, at: 5 * M, kind: 'escalate', team: 'ar', by: 'Ana', actor: 'minenergia', text: 'SCADA down.', templates: { message: 'Noted.' }, template: 'message' });
const byClass = (root, cls) => root.querySelector(`.${cls}`);
const rowOf = (panel, seq) => panel.items.get(seq);
const tick = () => new Promise((resolve) => setTimeout(resolve));

/** openForm clicks a row's "Answer" and returns its form's text and send button. */
function openForm(row) {
  row.answerBtn.click();
  const form = row.li.querySelector('form');
  return { form, text: form.querySelector('textarea'), send: byClass(form, 'simcell-send') };
}

test('the status a second later leaves a send under way disabled: no second answer', async () => {
  const { panel, status, sent, socket } = await panelOf();
  status([item(41)]);
  const { form, text, send } = openForm(rowOf(panel, 41));
  text.value = 'We are on it.';
  let ack;
  socket.answer = () => new Promise((resolve) => { ack = resolve; });
  form.fire('submit', { preventDefault() {} });
  assert.equal(send.dataset.state, 'pending');
  assert.equal(send.disabled, true);
  status([{ ...item(41), claimed_by: 'Fran', claimed_at: 19 * M }]);
  assert.equal(send.disabled, true, 'the status enabled the send under way');
  assert.equal(rowOf(panel, 41).answerBtn.disabled, false);
  ack({ seq: 90 });
  await tick();
  assert.equal(sent.filter((c) => c.type === 'simcell_answer').length, 1);
  assert.equal(send.dataset.state, 'done');
  status([], [{ ...item(41), answered_by: 'Fran', answered_at: 20 * M }]);
  assert.equal(rowOf(panel, 41), undefined, 'a row answered from here goes with the status');
});

test('an item another controller answered keeps the form drafted here, marked, its send disabled, until dismissed', async () => {
  const { panel, root, status } = await panelOf();
  status([item(41), item(42)]);
  const row = rowOf(panel, 41);
  const { text, send } = openForm(row);
  text.value = 'Noted. The minister will call at noon.';
  text.fire('input');
  text.focus();
  status([item(42)], [{ ...item(41), answered_by: 'Gabriela', answered_at: 19 * M }]);
  assert.ok(row.li.isConnected, 'the row and its draft were removed');
  assert.equal(document.activeElement, text);
  assert.equal(text.value, 'Noted. The minister will call at noon.');
  assert.equal(send.disabled, true);
  assert.equal(row.li.dataset.answered, 'true');
  const mark = byClass(row.li, 'simcell-gone');
  assert.equal(mark.hidden, false);
  assert.match(mark.textContent, /^Gabriela has already answered this item/);
  assert.equal(root.dataset.open, '1');

  // The next status changes nothing: the send stays disabled.
  status([item(42)], [{ ...item(41), answered_by: 'Gabriela', answered_at: 19 * M }]);
  assert.equal(send.disabled, true);
  assert.ok(row.li.isConnected);

  const dismiss = byClass(row.li, 'simcell-gone-dismiss');
  dismiss.focus();
  dismiss.click();
  assert.equal(row.li.isConnected, false);
  assert.equal(rowOf(panel, 41), undefined);
  assert.equal(document.activeElement, rowOf(panel, 42).answerBtn, 'the keyboard goes on to the next item');
});

test('an answered item with no form open here goes at once; one whose answerer is unknown says just answered', async () => {
  const { panel, status } = await panelOf();
  status([item(41), item(42)]);
  const plain = rowOf(panel, 41);
  const { text } = openForm(rowOf(panel, 42));
  text.value = 'Draft';
  status([]);
  assert.equal(plain.li.isConnected, false);
  const kept = rowOf(panel, 42);
  assert.ok(kept.li.isConnected);
  assert.match(byClass(kept.li, 'simcell-gone').textContent, /^This item has already been answered/);
  assert.equal(panel.empty.hidden, true, 'the panel says it is empty beside a row');
});

test('a status that says answered while this controller\'s own send is under way marks nothing; the row goes once acked', async () => {
  const { panel, status, socket } = await panelOf();
  status([item(41)]);
  const row = rowOf(panel, 41);
  const { form, text } = openForm(row);
  text.value = 'On it.';
  let ack;
  socket.answer = () => new Promise((resolve) => { ack = resolve; });
  form.fire('submit', { preventDefault() {} });
  status([], [{ ...item(41), answered_by: 'Fran', answered_at: 20 * M }]);
  assert.equal(byClass(row.li, 'simcell-gone').hidden, true);
  ack({ seq: 90 });
  await tick();
  assert.equal(row.li.isConnected, false);
});

test('under the pointer, a row answered elsewhere stays, its Answer off, until the pointer leaves', async () => {
  const { panel, status } = await panelOf();
  status([item(41), item(42)]);
  const first = rowOf(panel, 41);
  const second = rowOf(panel, 42);
  panel.list.fire('pointerenter');
  status([item(42)], [{ ...item(41), answered_by: 'Gus' }]);
  assert.ok(first.li.isConnected, 'the row went from under the pointer: the next row moved up under it');
  assert.equal(first.li.dataset.answered, 'true');
  assert.equal(first.answerBtn.disabled, true);
  assert.equal(second.answerBtn.disabled, false);
  panel.list.fire('pointerleave');
  assert.equal(first.li.isConnected, false, 'the row stayed after the pointer left');
  assert.ok(second.li.isConnected);
});
