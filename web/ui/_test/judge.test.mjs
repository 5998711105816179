// Tests of js/judge.js and the judgement lines of js/format.js (no DOM
// needed): run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultPoints, hasJudged, RATINGS } from '../js/judge.js';
import { eventText, kindOf } from '../js/format.js';
import { Directory } from '../js/model.js';
import { i18n } from '../js/i18n.js';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../../internal/i18n/catalog/${lang}.json`, import.meta.url), 'utf8'));
for (const l of ['en', 'pt']) i18n.catalogs.set(l, catalog(l));

test('a rating gives the points the engine gives it by default', () => {
  assert.deepEqual(RATINGS, ['met', 'partly', 'not_met']);
  assert.equal(defaultPoints('met', 10), 10);
  assert.equal(defaultPoints('partly', 15), 7.5);
  assert.equal(defaultPoints('partly', 5), 2.5);
  assert.equal(defaultPoints('not_met', 10), 0);
});

test('the queue shows only when the MSEL lists a judged expectation', () => {
  assert.equal(hasJudged({ msel: [{ id: 'I01' }, { id: 'I02', judged: [] }] }), false);
  assert.equal(hasJudged({ msel: [{ id: 'I01' }, { id: 'I02', judged: ['publish'] }] }), true);
  assert.equal(hasJudged({}), false);
});

test('judgements and reconciled scores in the timeline', () => {
  const dir = new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }] });
  const judged = { type: 'expectation.judged', actor: 'evaluator:Eva', team: 'co-csirt', data: { inject: 'I01', expectation: 'publish', rating: 'partly', content: 4, max_points: 10 } };
  const scored = { type: 'expectation.scored', actor: 'system', team: 'co-csirt', data: { inject: 'I01', expectation: 'publish', rating: 'partly', points: 3.5, max_points: 10 } };
  const met = { type: 'expectation.met', team: 'co-csirt', data: { inject: 'I01', expectation: 'publish', points: 10, max_points: 10, provisional: true } };
  i18n.lang = 'en';
  assert.equal(eventText(judged, dir), 'Eva judged publish on I01 for colCERT: Partly, 4/10');
  assert.equal(eventText(scored, dir), 'colCERT: publish on I01 now scores 3.5/10 (Partly)');
  assert.match(eventText(met, dir), /provisional$/);
  assert.equal(kindOf('expectation.judged'), 'note');
  assert.equal(kindOf('expectation.scored'), 'met');
  i18n.lang = 'pt';
  assert.equal(eventText(judged, dir), 'Eva avaliou publish em I01 de colCERT: Parcialmente, 4/10');
  assert.match(eventText(met, dir), /provisório$/);
});
