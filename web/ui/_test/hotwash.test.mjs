// Tests of js/hotwash.js and the survey lines of js/format.js (no DOM
// needed): run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { questionsOf, tally } from '../js/hotwash.js';
import { eventText } from '../js/format.js';
import { Directory } from '../js/model.js';
import { i18n } from '../js/i18n.js';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../../internal/i18n/catalog/${lang}.json`, import.meta.url), 'utf8'));
for (const l of ['en', 'es']) i18n.catalogs.set(l, catalog(l));

// The default questions as the server sends them in the exercise view
// (hot_wash, from engine.HotWashQuestions; web.TestHotWashDefaultQuestions
// checks the server's side).
const served = [
  { id: 'structured', kind: 'rating', text: '' },
  { id: 'realistic', kind: 'rating', text: '' },
  { id: 'role_clear', kind: 'rating', text: '' },
  { id: 'strengths', kind: 'text', text: '' },
  { id: 'change', kind: 'text', text: '' },
];

test('the console asks the questions the server lists, and no others', () => {
  assert.deepEqual(questionsOf({ hot_wash: served }), served);
  assert.deepEqual(questionsOf({}), [], 'without the server\'s list the console has no questions of its own');
  assert.deepEqual(questionsOf(null), []);
});

test('tally averages ratings and lists texts, one answer per respondent', () => {
  const responses = new Map([
    ['trainee:co:ana', { structured: '4', strengths: 'roles' }],
    ['trainee:pe:luis', { structured: '5', realistic: '2' }],
  ]);
  const byId = Object.fromEntries(tally(responses, served).map((r) => [r.id, r]));
  assert.equal(byId.structured.average, 4.5);
  assert.equal(byId.structured.count, 2);
  assert.equal(byId.realistic.average, 2);
  assert.equal(byId.role_clear.average, null);
  assert.deepEqual(byId.strengths.texts, ['roles']);
  assert.equal(byId.change.count, 0);
});

test('the timeline names who answered, or only the team when anonymous', () => {
  i18n.lang = 'en';
  const dir = new Directory({ teams: [{ id: 'co', name: 'colCERT' }] });
  assert.equal(eventText({ type: 'survey.answered', actor: 'trainee:co:Ana', team: 'co', data: { answers: {} } }, dir), 'Ana answered the hot wash survey');
  assert.equal(eventText({ type: 'survey.answered', actor: 'trainee:co', team: 'co', data: { anonymous: true } }, dir), 'A participant from colCERT answered the hot wash survey anonymously');
});

test('a scenario with its own questions replaces the default ones', () => {
  const own = [{ id: 'useful', kind: 'rating', text: 'Useful?' }];
  assert.deepEqual(questionsOf({ hot_wash: own }), own);
  const byId = Object.fromEntries(tally(new Map([['a', { useful: '3' }]]), own).map((r) => [r.id, r]));
  assert.equal(byId.useful.average, 3);
});
