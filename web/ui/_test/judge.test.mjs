// Tests of js/judge.js and the judgement lines of js/format.js (no DOM
// needed): run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultPoints, hasJudged, JudgedContext, RATINGS } from '../js/judge.js';
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

test('the queue keeps the context of judged expectations only', () => {
  const c = new JudgedContext();
  const delivered = (seq, team, inject, expectations) => ({
    event: { seq, type: 'inject.delivered', team, data: { inject } },
    inject: { id: inject, expectations },
  });
  const action = (seq, team, inject, text) => ({ event: { seq, type: 'team.action', team, data: { inject, text } } });
  c.add(delivered(1, 'co', 'I01', [{ id: 'report', judged: true, text: 'Send a report', criteria: 'Names the IOCs', action: 'report' }, { id: 'ack' }]));
  c.add(delivered(2, 'co', 'I02', [{ id: 'ack' }]));
  c.add(delivered(3, 'pe', 'I01', [{ id: 'report', judged: true }]));
  c.add(action(4, 'co', 'I01', 'Our report'));
  c.add(action(5, 'co', 'I02', 'Acknowledged'));
  c.add(action(6, 'co', 'I09', 'About an inject never delivered'));
  c.add({ event: { seq: 7, type: 'message.sent', team: 'co', data: { inject: 'I01', text: 'To pe' } } });

  assert.deepEqual(c.question('co', 'I01', 'report'), { text: 'Send a report', criteria: 'Names the IOCs', action: 'report' });
  assert.deepEqual(c.question('co', 'I01', 'ack'), {}, 'an expectation nobody judges is not kept');
  assert.equal(c.answer(4).data.text, 'Our report');
  assert.deepEqual(c.eventsAround('co', 'I01').map((e) => e.seq), [1, 4, 7]);
  assert.deepEqual(c.eventsAround('pe', 'I01').map((e) => e.seq), [3]);
  assert.equal(c.answer(6).data.text, 'About an inject never delivered', 'a recent answer is found whatever it concerns');
  assert.deepEqual(c.eventsAround('co', 'I02'), [], 'no context is kept for an inject nobody judges');
});

test('the queue holds only the latest answers', () => {
  const c = new JudgedContext(3);
  for (let seq = 1; seq <= 5; seq++) c.add({ event: { seq, type: 'team.action', team: 'co', data: { text: `answer ${seq}` } } });
  assert.equal(c.answer(2), undefined);
  assert.deepEqual([3, 4, 5].map((seq) => c.answer(seq).data.text), ['answer 3', 'answer 4', 'answer 5']);
});
