// Tests of the facilitator's Injects panel (js/msel.js) under a fake DOM:
// the statuses that come every second do not move or remove the rows under
// the keyboard or under an open confirmation, and a confirmed command for
// an inject that no longer waits is refused plainly rather than sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { installFakeDOM, tick } from './fakedom.mjs';
import { MselPanel } from '../js/msel.js';
import { Directory } from '../js/model.js';
import { h } from '../js/dom.js';
import { i18n, t } from '../js/i18n.js';

i18n.catalogs.set('en', JSON.parse(readFileSync(new URL('../../../internal/i18n/catalog/en.json', import.meta.url), 'utf8')));
i18n.lang = 'en';

const MSEL = [
  { id: 'I01', title: 'Phishing', at: 60e9, to: ['co'] },
  { id: 'I02', title: 'Leak', at: 120e9, to: ['co'] },
  { id: 'I03', title: 'Press', at: 180e9, to: ['co'] },
];

/** mount builds the panel in a fake facilitator console; the socket records commands, or refuses them with refuse. */
function mount({ refuse = null } = {}) {
  const body = installFakeDOM();
  const proto = Object.getPrototypeOf(body);
  // What the confirmation dialog (js/dialog.js) needs of a <dialog>. It
  // is built once for every test: modal is the one open.
  const modal = {};
  proto.showModal = function showModal() { this.open = true; modal.dialog = this; };
  proto.close = function close(value) {
    if (value !== undefined) this.returnValue = value;
    this.open = false;
    this.fire('close');
  };
  const errors = h('div', { id: 'errors' });
  const root = h('section');
  body.append(errors, root);
  const sent = [];
  const exercise = { msel: MSEL, teams: [{ id: 'co', name: 'colCERT' }], language: 'en' };
  const ctx = {
    exercise,
    dir: new Directory(exercise),
    clock: { now: () => 0, status: 'running' },
    socket: {
      state: 'online',
      command: async (cmd) => {
        sent.push(cmd);
        if (refuse) throw refuse;
        return {};
      },
    },
  };
  const panel = new MselPanel(root, ctx);
  const status = (...ids) => panel.update({ status: 'running', upcoming: ids.map((id) => ({ inject: id, at: MSEL.find((m) => m.id === id).at })) });
  const row = (id) => panel.upRows.get(`${id}|`);
  const button = (id, cmd) => row(id).buttons.find((b) => b.dataset.cmd === cmd);
  const shown = () => panel.upcoming.children.map((li) => li.dataset.upcoming + (li.classList.contains('gone') ? ':gone' : ''));
  return { panel, errors, sent, status, row, button, shown, modal };
}

test('the scheduled list holds still while the keyboard is in it', async () => {
  const { panel, errors, status, button, shown } = mount();
  status('I01', 'I02');
  assert.deepEqual(shown(), ['I01', 'I02']);

  // The keyboard is on I02's Skip; I01 is delivered and I03 comes.
  document.focusVisible = true;
  const skip = button('I02', 'skip');
  skip.focus();
  status('I02', 'I03');
  assert.deepEqual(shown(), ['I01:gone', 'I02'], 'no row goes or comes under the keyboard');
  assert.equal(document.activeElement, skip);
  const note = panel.heldNotes.get(panel.upcoming);
  assert.equal(note.hidden, false, 'a note says the list waits');

  // The focused control of a row that goes away is marked, not disabled (which would drop the focus).
  const release = button('I02', 'release');
  release.focus();
  status('I03');
  assert.equal(release.disabled, false);
  assert.equal(release.getAttribute('aria-disabled'), 'true');
  release.click();
  await tick();
  assert.match(errors.textContent, /I02/, 'pressed, it says the inject no longer waits');

  // The keyboard leaves: the list catches up.
  release.blur();
  panel.upcoming.fire('focusout', { relatedTarget: null });
  await tick();
  assert.deepEqual(shown(), ['I03']);
  assert.equal(note.hidden, true);
});

test('a button clicked with the mouse keeps the focus without holding the list', () => {
  const { status, button, shown } = mount();
  status('I01', 'I02');
  document.focusVisible = false;
  button('I02', 'delay5').focus();
  status('I02', 'I03');
  assert.deepEqual(shown(), ['I02', 'I03']);
});

test('a Release confirmed after its inject went away sends nothing and says so', async () => {
  const { panel, errors, sent, status, button, shown, modal } = mount();
  status('I01', 'I02');
  document.focusVisible = false;
  const release = button('I01', 'release');
  release.focus();
  release.click();
  const { dialog } = modal;
  assert.equal(dialog.open, true, 'Release asks first');

  // I01 is delivered at its time while the dialog is open.
  status('I02');
  assert.deepEqual(shown(), ['I01:gone', 'I02'], 'the row the dialog was opened from stays while it is open');
  assert.equal(release.disabled, true);

  dialog.close('ok');
  await tick();
  assert.deepEqual(sent, [], 'nothing sent for an inject that no longer waits');
  assert.match(errors.textContent, /I01/, 'and the facilitator is told');
  assert.deepEqual(shown(), ['I02'], 'the list catches up once the dialog is closed');
  assert.equal(document.activeElement, button('I02', 'release'), 'the keyboard goes to the next row, not to the page');
  assert.equal(panel.asking.size, 0);
});

test('a Release confirmed while its inject still waits is sent', async () => {
  const { sent, status, button, modal } = mount();
  status('I01', 'I02');
  button('I01', 'release').click();
  modal.dialog.close('ok');
  await tick();
  assert.deepEqual(sent, [{ type: 'release_inject', inject: 'I01' }]);
});

test('the engine refusing an inject delivered meanwhile is said plainly', async () => {
  const refuse = Object.assign(new Error('inject I01 is not scheduled; only a scheduled inject can be delayed'), { code: 'conflict' });
  const { errors, status, button } = mount({ refuse });
  status('I01');
  button('I01', 'delay5').click();
  await tick();
  assert.match(errors.textContent, new RegExp(t('ui.msel.error_gone').slice(0, 20)));
});

test('the keyboard comes back to a button its own command turned off', async () => {
  const { status, button } = mount();
  status('I01', 'I02');
  document.focusVisible = true;
  const delay = button('I01', 'delay5');
  delay.focus();
  delay.click();
  // The browser drops the focus from a disabled button (pending disables it).
  assert.equal(delay.disabled, true);
  document.activeElement = document.body;
  await tick();
  assert.equal(document.activeElement, delay);
});

test('a tap holds the list from the press, past the lift, until its click', () => {
  const { panel, status, shown } = mount();
  status('I01', 'I02', 'I03');
  // A finger on I02's Delay: no hover before, and the lift's pointerleave comes before the click.
  panel.upcoming.fire('pointerdown', { pointerType: 'touch' });
  panel.upcoming.fire('pointerleave', { pointerType: 'touch' });
  status('I02', 'I03'); // I01 delivered meanwhile
  assert.deepEqual(shown(), ['I01:gone', 'I02', 'I03'], 'the rows moved under the finger before its click');
});

test('when the row of a command is gone by its answer, the keyboard goes to the next row', async () => {
  const { panel, status, button } = mount();
  status('I01', 'I02', 'I03');
  let answer;
  panel.ctx.socket.command = () => new Promise((resolve) => { answer = resolve; });
  document.focusVisible = true;
  const delay = button('I02', 'delay5');
  delay.focus();
  delay.click();
  document.activeElement = document.body; // dropped from the disabled button
  status('I01', 'I03'); // I02 delivered meanwhile; the keyboard no longer holds the list
  assert.equal(delay.isConnected, false);
  answer({});
  await tick();
  assert.equal(document.activeElement, button('I03', 'delay5'), 'the keyboard went to the top of the list, not to the next row');
});

test('the "none" line waits for a held row that went away, then shows', () => {
  const { panel, status, shown } = mount();
  status('I03');
  panel.upcoming.fire('pointerenter');
  status(); // I03 delivered under the pointer: none remain
  assert.deepEqual(shown(), ['I03:gone']);
  assert.equal(panel.upEmpty.hidden, true, '"none remain" shows above the row still there');
  panel.upcoming.fire('pointerleave');
  assert.deepEqual(shown(), []);
  assert.equal(panel.upEmpty.hidden, false, 'the empty list says none remain');
});
