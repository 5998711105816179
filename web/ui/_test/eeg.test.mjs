// Tests of js/eeg.js's pure logic and the guides' timeline lines (no DOM
// needed): run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { reconcileGrades, finalGrade, observeCommand, rateCommand, ExpectationStates, linkable, linkChoices, clearSent, GRADES, SCALE, MAX_LINKS } from '../js/eeg.js';
import { eventText, kindOf } from '../js/format.js';
import { Directory } from '../js/model.js';
import { i18n } from '../js/i18n.js';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../../internal/i18n/catalog/${lang}.json`, import.meta.url), 'utf8'));
for (const l of ['en', 'es']) i18n.catalogs.set(l, catalog(l));

const r = (by, grade, override = false) => ({ by, grade, override });

test('the rating scale and the form order', () => {
  assert.deepEqual(GRADES, ['P', 'S', 'M', 'U']);
  assert.deepEqual(SCALE, ['U', 'M', 'S', 'P']);
});

test('ratings reconcile as the engine does', () => {
  assert.deepEqual(reconcileGrades([]), { reconciled: '', raters: 0, disagreement: false, override: null });
  assert.equal(reconcileGrades([r('a', 'U'), r('a', 'P')]).reconciled, 'P', 'the latest rating of an evaluator counts');
  const three = reconcileGrades([r('a', 'P'), r('b', 'S'), r('c', 'U')]);
  assert.equal(three.reconciled, 'S');
  assert.equal(three.raters, 3);
  assert.equal(three.disagreement, true);
  const two = reconcileGrades([r('a', 'P'), r('b', 'S')]);
  assert.equal(two.reconciled, 'S', 'the lower middle one for an even count');
  assert.equal(two.disagreement, false, 'one step apart is agreement');
  assert.equal(reconcileGrades([r('a', 'S'), r('b', 'U')]).disagreement, true);
});

test('the override wins; without ratings the mechanical rating stands', () => {
  const withOverride = reconcileGrades([r('a', 'P'), r('facilitator:m', 'U', true), r('b', 'P')]);
  assert.deepEqual(finalGrade(withOverride), { grade: 'U', source: 'lead_evaluator' });
  assert.equal(withOverride.reconciled, 'P');
  assert.deepEqual(finalGrade(reconcileGrades([r('a', 'M')])), { grade: 'M', source: 'evaluators' });
  assert.deepEqual(finalGrade(reconcileGrades([])), { grade: '', source: '' });
});

test('an observation command carries its task and linked events, sorted and once each', () => {
  assert.deepEqual(observeCommand({ objective: 'O1', text: '  ' }), { error: 'eeg.need_text' });
  assert.deepEqual(observeCommand({ objective: 'O1', text: ' Quick triage ' }).cmd, { type: 'observe', objective: 'O1', text: 'Quick triage' });
  assert.deepEqual(observeCommand({ objective: 'O1', task: 'triage', team: 'co-csirt', text: 'x', events: [14, 3, 14, '7'] }).cmd,
    { type: 'observe', objective: 'O1', text: 'x', team: 'co-csirt', eeg: { task: 'triage', events: [3, 7, 14] } });
  const many = Array.from({ length: MAX_LINKS + 5 }, (_, i) => i + 1);
  assert.deepEqual(observeCommand({ objective: 'O1', text: 'x', events: many }), { error: 'eeg.too_many_links' }, 'more ticks than one observation may link are refused, not cut');
  assert.equal(observeCommand({ objective: 'O1', text: 'x', events: many.slice(0, MAX_LINKS) }).cmd.eeg.events.length, MAX_LINKS);
});

test('a rating needs a grade and a reason; the lead overrides', () => {
  assert.deepEqual(rateCommand({ objective: 'O1', grade: undefined, reason: 'x' }), { error: 'eeg.choose_grade' });
  assert.deepEqual(rateCommand({ objective: 'O1', grade: 'A', reason: 'x' }), { error: 'eeg.choose_grade' });
  assert.deepEqual(rateCommand({ objective: 'O1', grade: 'S', reason: ' ' }), { error: 'eeg.need_reason' });
  assert.deepEqual(rateCommand({ objective: 'O1', grade: 'S', reason: 'Late' }).cmd, { type: 'rate_objective', objective: 'O1', text: 'Late', eeg: { grade: 'S' } });
  assert.equal(rateCommand({ objective: 'O1', grade: 'P', reason: 'x', lead: true }).cmd.type, 'override_rating');
});

test('expectation states fold deliveries, answers and misses across teams', () => {
  const s = new ExpectationStates();
  const deliver = (team) => ({ type: 'inject.delivered', team, data: { inject: 'I01', expectations: [{ id: 'ack' }, { id: 'classify' }] } });
  s.add(deliver('co-csirt'));
  s.add(deliver('pe-csirt'));
  s.add({ type: 'expectation.met', team: 'co-csirt', data: { inject: 'I01', expectation: 'ack' } });
  s.add({ type: 'expectation.missed', team: 'pe-csirt', data: { inject: 'I01', expectation: 'ack' } });
  s.add(deliver('co-csirt')); // a redelivery does not reopen
  assert.deepEqual(s.summary('I01.ack'), { met: 1, missed: 1, open: 0 });
  assert.deepEqual(s.summary('I01.classify'), { met: 0, missed: 0, open: 2 });
  assert.deepEqual(s.summary('I02.ack'), { met: 0, missed: 0, open: 0 });
});

test('only other events can be linked; the guides\u2019 events read well in the timeline', () => {
  assert.equal(linkable({ seq: 4, type: 'team.action' }), true);
  assert.equal(linkable({ seq: 5, type: 'eeg.observed' }), false);
  assert.equal(linkable({ type: 'team.action' }), false);
  const dir = new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }] });
  const observed = { type: 'eeg.observed', actor: 'evaluator:Eva', data: { objective: 'O1', text: 'Fast', eeg: { task: 'triage', events: [3] } } };
  const rated = { type: 'eeg.rated', actor: 'evaluator:Eva', data: { objective: 'O1', text: 'Fast', eeg: { grade: 'P' } } };
  const overridden = { type: 'eeg.overridden', actor: 'facilitator:Maria', data: { objective: 'O1', text: 'One slip', eeg: { grade: 'S' } } };
  i18n.lang = 'en';
  assert.equal(eventText(observed, dir), 'Eva observed O1.triage: Fast');
  assert.equal(eventText(rated, dir), 'Eva rated O1 P: Fast');
  assert.equal(eventText(overridden, dir), 'Maria set the final rating of O1 to S: One slip');
  assert.equal(kindOf('eeg.rated'), 'note');
  i18n.lang = 'es';
  assert.equal(eventText(rated, dir), 'Eva calificó O1 con P: Fast');
});

test('a ticked event stays among the events to link after newer ones push it out', () => {
  const ev = (seq) => ({ seq, type: 'team.action' });
  const recent = [ev(40), ev(39), ev(38)];
  assert.deepEqual(linkChoices(recent, [ev(12), ev(39)]).map((e) => e.seq), [40, 39, 38, 12], 'the old tick is kept once, after the recent ones');
  assert.deepEqual(linkChoices(recent, []).map((e) => e.seq), [40, 39, 38]);
  assert.deepEqual(linkChoices([], [ev(5), ev(9)]).map((e) => e.seq), [9, 5], 'newest first');
});

test('after sending, the observation form keeps what was typed or ticked meanwhile', () => {
  const box = (seq, checked) => ({ value: String(seq), checked });
  const sentBoxes = [box(4, true), box(9, true)];
  const text = { value: 'ransomware seen at 10:02' };
  clearSent({ text, boxes: sentBoxes }, { text: 'ransomware seen at 10:02', events: [4, 9] });
  assert.equal(text.value, '', 'the sent text goes');
  assert.deepEqual(sentBoxes.map((b) => b.checked), [false, false], 'the sent ticks go');

  // While the command was on its way: the text changed, event 12 was ticked.
  const later = [box(4, true), box(12, true)];
  const edited = { value: 'ransomware seen at 10:02, and again' };
  clearSent({ text: edited, boxes: later }, { text: 'ransomware seen at 10:02', events: [4] });
  assert.equal(edited.value, 'ransomware seen at 10:02, and again', 'a text edited meanwhile stays');
  assert.deepEqual(later.map((b) => b.checked), [false, true], 'a box ticked meanwhile stays ticked');
});
