// Tests of the pure functions of js/decision.js (no DOM needed): run with
// `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { newDecisions, foldDecision, tally, promptIn, labelIn } from '../js/decision.js';
import { eventText } from '../js/format.js';
import { Directory } from '../js/model.js';
import { i18n } from '../js/i18n.js';

const view = {
  id: 'D1', prompt: 'Escalate?', by: 'vote', within: 1200e9, default: 'wait',
  translations: { es: '¿Escalar?' },
  choices: [{ id: 'escalate', label: 'Escalate', translations: { es: 'Escalar' } }, { id: 'wait', label: 'Wait' }],
};

function ev(seq, type, team, actor, data) {
  return { type: 'event', seq, at: seq * 60e9, event: { seq, at: seq * 60e9, type, team, actor, data } };
}

function played() {
  const s = newDecisions();
  foldDecision(s, { type: 'event', event: { seq: 1, type: 'inject.delivered', team: 'co', data: { inject: 'I01' } }, inject: { id: 'I01', title: 'T', decision: view } });
  foldDecision(s, ev(2, 'decision.opened', 'co', 'system', { inject: 'I01', deadline: 1500e9, decision_point: { id: 'D1', by: 'vote', choices: ['escalate', 'wait'] } }));
  foldDecision(s, ev(3, 'decision.voted', 'co', 'trainee:co:ana', { decision_point: { id: 'D1', choice: 'wait' } }));
  foldDecision(s, ev(4, 'decision.voted', 'co', 'trainee:co:luis', { decision_point: { id: 'D1', choice: 'escalate' } }));
  foldDecision(s, ev(5, 'decision.voted', 'co', 'trainee:co:ana', { decision_point: { id: 'D1', choice: 'escalate' } }));
  return s;
}

test('foldDecision keeps the view from the inject and one vote per trainee', () => {
  const s = played();
  assert.equal(s.views.get('D1').inject, 'I01');
  const r = s.records.get('D1@co');
  assert.equal(r.deadline, 1500e9);
  assert.equal(r.votes.size, 2);
  assert.equal(r.made, null);
  assert.deepEqual(tally(view, r), [{ choice: 'escalate', votes: 2 }, { choice: 'wait', votes: 0 }]);
});

test('a made decision shows the final tally and its cause', () => {
  const s = played();
  const r = foldDecision(s, ev(6, 'decision.made', 'co', 'system', { decision_point: { id: 'D1', choice: 'escalate', cause: 'vote', votes: [{ choice: 'escalate', votes: 2 }, { choice: 'wait', votes: 1 }] } }));
  assert.deepEqual(r.made, { choice: 'escalate', cause: 'vote', by: 'system', at: 360e9, votes: [{ choice: 'escalate', votes: 2 }, { choice: 'wait', votes: 1 }] });
  assert.deepEqual(tally(view, r), [{ choice: 'escalate', votes: 2 }, { choice: 'wait', votes: 1 }]);
});

test('events of other kinds change nothing', () => {
  const s = newDecisions();
  assert.equal(foldDecision(s, ev(1, 'team.action', 'co', 'x', { inject: 'I01' })), null);
  assert.equal(foldDecision(s, { type: 'event', event: { type: 'inject.delivered', team: 'co', data: {} }, inject: { id: 'I02' } }), null);
  assert.equal(s.records.size, 0);
  assert.equal(s.views.size, 0);
});

test('prompts and labels are translated when the scenario translates them', () => {
  assert.equal(promptIn(view, 'es'), '¿Escalar?');
  assert.equal(promptIn(view, 'pt'), 'Escalate?');
  assert.equal(labelIn(view.choices[0], 'es'), 'Escalar');
  assert.equal(labelIn(view.choices[1], 'es'), 'Wait');
});

test('the timeline names decisions and choices by their labels in the reader\'s language, else by id', () => {
  const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../../internal/i18n/catalog/${lang}.json`, import.meta.url), 'utf8'));
  for (const l of ['en', 'es']) i18n.catalogs.set(l, catalog(l));
  const was = i18n.lang;
  try {
    const dir = new Directory({ teams: [{ id: 'co', name: 'colCERT' }] });
    const voted = { type: 'decision.voted', team: 'co', actor: 'trainee:co:ana', data: { decision_point: { id: 'D1', choice: 'escalate' } } };
    const made = { type: 'decision.made', team: 'co', actor: 'system', data: { decision_point: { id: 'D1', choice: 'wait', cause: 'vote' } } };
    i18n.lang = 'en';
    // Before the inject that carries the decision is known: the ids.
    assert.equal(eventText(voted, dir), 'ana voted “escalate” on “D1”');
    dir.learnEvent({ type: 'event', event: { type: 'inject.delivered', team: 'co', data: { inject: 'I01' } }, inject: { id: 'I01', title: 'T', decision: { ...view, prompt: 'Escalate **now**?' } } });
    assert.equal(eventText(voted, dir), 'ana voted “Escalate” on “Escalate now?”');
    assert.match(eventText(made, dir), /^colCERT decided “Escalate now\?”: Wait\. /);
    i18n.lang = 'es';
    assert.equal(eventText(voted, dir), 'ana votó «Escalar» en «¿Escalar?»');
    assert.match(eventText(made, dir), /^colCERT decidió «¿Escalar\?»: Wait\. /, 'an untranslated label stays in the scenario\'s language');
    assert.match(eventText({ type: 'inject.delivered', team: 'co', data: { inject: 'I02', cause: 'choice:escalate:co' } }, dir), /\(colCERT eligió «Escalar»\)$/);
    const unknown = { type: 'decision.voted', team: 'co', actor: 'trainee:co:ana', data: { decision_point: { id: 'D9', choice: 'maybe' } } };
    assert.equal(eventText(unknown, dir), 'ana votó «maybe» en «D9»');
  } finally {
    i18n.lang = was;
  }
});
