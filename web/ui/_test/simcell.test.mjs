// Tests of the pure functions of js/simcell.js: run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageOf, claimState, answerCommand } from '../js/simcell.js';

const M = 60e9;
const item = { seq: 41, at: 11 * M, team: 'co-csirt', actor: 'mintic', templates: { rfi: 'We are checking.', message: 'Noted, colCERT.' } };

test('age on the virtual clock', () => {
  assert.equal(ageOf(item, 20 * M), 9 * M);
  assert.equal(ageOf(item, 5 * M), 0, 'a clock behind the item never gives a negative age');
});

test('who holds an item', () => {
  assert.equal(claimState(item, 'Fran'), '');
  assert.equal(claimState({ ...item, claimed_by: 'Fran' }, 'Fran'), 'you');
  assert.equal(claimState({ ...item, claimed_by: 'Gus' }, 'Fran'), 'other');
});

test('an untouched template is sent as the template, an edited one as free text', () => {
  assert.deepEqual(answerCommand(item, { mode: 'message', text: 'Noted, colCERT.', tlp: '' }), { type: 'simcell_answer', message: 41, kind: 'message' });
  assert.deepEqual(answerCommand(item, { mode: 'message', text: 'Noted, colCERT. Call us.', tlp: 'green' }),
    { type: 'simcell_answer', message: 41, text: 'Noted, colCERT. Call us.', tlp: 'green' });
  assert.deepEqual(answerCommand(item, { mode: 'free', text: ' We are checking. ', tlp: '' }), { type: 'simcell_answer', message: 41, text: 'We are checking.' });
});

test('a follow-up inject goes to the item\'s team, from its actor', () => {
  const cmd = answerCommand(item, { mode: 'free', text: 'Call at noon.', tlp: '', followup: { title: 'Call', body: 'The minister calls.', channel: 'phone' } });
  assert.deepEqual(cmd.adhoc, { title: 'Call', body: 'The minister calls.', channel: 'phone', to: ['co-csirt'], from: 'mintic' });
});
