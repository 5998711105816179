// Tests of the evaluation guide's list of events to link (js/eeg.js)
// under a fake DOM: the list, drawn again as events come, holds still
// while a finger or pen presses on the page, which neither hovers nor
// focuses the box it taps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeDOM, tick } from './fakedom.mjs';
import { SETTLE_MS } from '../js/dom.js';
import { EEGPanel } from '../js/eeg.js';
import { Directory } from '../js/model.js';
import { h } from '../js/dom.js';

/** mount builds a guide panel and returns it with a way to fire document events. */
function mount() {
  const body = installFakeDOM();
  const fireDocument = document.fire;
  const root = h('div');
  body.append(root);
  const ctx = {
    exercise: { objectives: [{ id: 'O1', text: 'Detect' }], language: 'en' },
    dir: new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }] }),
    socket: { command: async () => ({}) },
  };
  return { panel: new EEGPanel(root, ctx), fireDocument };
}

const action = (seq) => ({ event: { seq, at: seq * 60e9, type: 'team.action', team: 'co-csirt', actor: 'trainee:co-csirt:Ana', data: { action: 'acknowledge', inject: 'I01' } } });

test('a tap on the list of events to link is not lost to a redraw between press and click', async () => {
  const { panel, fireDocument } = mount();
  panel.add(action(1));
  panel.drawLinks();
  const box = panel.linkList.querySelector('input');
  assert.equal(box.value, '1');

  // A finger presses the box: no hover, no focus. Event 2 comes and the
  // list is drawn before the click.
  fireDocument('pointerdown');
  panel.add(action(2));
  panel.drawLinks();
  assert.ok(box.isConnected, 'the pressed box is still in the page');
  assert.equal(panel.linkList.querySelector('input'), box, 'and nothing moved above it');
  assert.equal(panel.heldNote.hidden, true, 'the held note does not appear (and push things) during a press');

  // The click ticks the box; the finger lifts and the list catches up, the tick kept.
  box.checked = true;
  fireDocument('pointerup');
  await tick();
  assert.equal(panel.linkList.querySelector('input'), box, 'drawn before the click of a tap, which comes after the lift');
  await tick(SETTLE_MS + 10);
  const seqs = panel.linkList.querySelectorAll('input').map((c) => [c.value, !!c.checked]);
  assert.deepEqual(seqs, [['2', false], ['1', true]], 'drawn after the release, with the tick');
});

test('without a press the list is drawn as events come', () => {
  const { panel } = mount();
  panel.add(action(1));
  panel.drawLinks();
  panel.add(action(2));
  panel.drawLinks();
  assert.deepEqual(panel.linkList.querySelectorAll('input').map((c) => c.value), ['2', '1']);
});
