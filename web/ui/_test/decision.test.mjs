// Tests of the pure functions of js/decision.js (no DOM needed): run with
// `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { newDecisions, foldDecision, tally, promptIn, labelIn } from '../js/decision.js';
import { eventText } from '../js/format.js';
import { Directory } from '../js/model.js';
import { i18n, t } from '../js/i18n.js';
import { installFakeDOM, descendants } from './fakedom.mjs';

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

/* ---------- the panel, over the DOM stand-in ---------- */

/** panelOf mounts a DecisionPanel for you over the fake DOM and returns it with the socket's event handler and the commands sent. */
async function panelOf(you) {
  const body = installFakeDOM();
  const { DecisionPanel } = await import('../js/decision.js');
  const handlers = {};
  const sent = [];
  const socket = { state: 'online', on: (type, fn) => { handlers[type] = fn; }, command: async (c) => { sent.push(c); return { seq: 1 }; } };
  const ctx = { you, socket, dir: new Directory({ teams: [{ id: 'co', name: 'colCERT' }, { id: 'pe', name: 'PeCERT' }] }) };
  const host = document.createElement('section');
  body.appendChild(host);
  const panel = new DecisionPanel(ctx, host, { canForce: you.role === 'facilitator' });
  const feed = (m) => handlers.event(m);
  feed({ type: 'event', event: { seq: 1, type: 'inject.delivered', team: 'co', data: { inject: 'I01' } }, inject: { id: 'I01', title: 'T', decision: view } });
  for (const team of ['co', 'pe']) feed(ev(2, 'decision.opened', team, 'system', { inject: 'I01', deadline: 1500e9, decision_point: { id: 'D1', by: 'vote', choices: ['escalate', 'wait'] } }));
  return { panel, host, feed, sent };
}

/** find returns the elements under root for which ok is true, in document order. */
const find = (root, ok) => descendants(root).filter(ok);

const cardOf = (host, team) => find(host, (e) => e.tagName === 'ARTICLE' && e.dataset.team === team)[0];
const radio = (card, choice) => find(card, (e) => e.tagName === 'INPUT' && e.dataset.choice === choice)[0];
const votesOf = (card) => Object.fromEntries(find(card, (e) => e.tagName === 'LI').map((li) => [li.dataset.choice, Number(li.dataset.votes)]));

test('a teammate\'s vote leaves the radio a trainee is on in place, picked and focused', async () => {
  const { host, feed, sent } = await panelOf({ role: 'trainee', team: 'co', name: 'luis' });
  const card = cardOf(host, 'co');
  const escalate = radio(card, 'escalate');
  escalate.checked = true;
  escalate.fire('change');
  escalate.focus();
  feed(ev(3, 'decision.voted', 'co', 'trainee:co:ana', { decision_point: { id: 'D1', choice: 'wait' } }));
  assert.equal(cardOf(host, 'co'), card, 'the card was drawn again');
  assert.ok(escalate.isConnected, 'the radio was replaced');
  assert.equal(document.activeElement, escalate);
  assert.ok(escalate.checked);
  assert.deepEqual(votesOf(card), { escalate: 0, wait: 1 });
  const form = find(card, (e) => e.tagName === 'FORM')[0];
  form.fire('submit', { preventDefault() {} });
  assert.deepEqual(sent, [{ type: 'vote', decision_point: { id: 'D1', choice: 'escalate' } }]);
});

test('a trainee\'s own vote is shown on the form, and picks its radio until the trainee picks another', async () => {
  const { host, feed } = await panelOf({ role: 'trainee', team: 'co', name: 'ana' });
  feed(ev(3, 'decision.voted', 'co', 'trainee:co:ana', { decision_point: { id: 'D1', choice: 'wait' } }));
  const card = cardOf(host, 'co');
  const mine = find(card, (e) => e.className.includes('decision-mine'))[0];
  assert.equal(mine.hidden, false);
  assert.match(mine.textContent, /Wait/);
  assert.equal(find(card, (e) => e.className.includes('decision-submit'))[0].textContent, t('decision.change_vote'));
  assert.ok(radio(card, 'wait').checked, 'the vote replayed after a reload is picked');
  assert.deepEqual(votesOf(card), { escalate: 0, wait: 1 });
  // Ana picks escalate and it is counted; her vote from another tab then moves the radios again.
  radio(card, 'wait').checked = false;
  radio(card, 'escalate').checked = true;
  radio(card, 'escalate').fire('change');
  feed(ev(4, 'decision.voted', 'co', 'trainee:co:ana', { decision_point: { id: 'D1', choice: 'escalate' } }));
  feed(ev(5, 'decision.voted', 'co', 'trainee:co:ana', { decision_point: { id: 'D1', choice: 'wait' } }));
  assert.ok(radio(card, 'wait').checked, 'once the vote she picked is counted, the radios follow her votes again');
  assert.match(mine.textContent, /Wait/);
});

test('the facilitator\'s choice to force stays selected while votes come, and one team\'s card stays while another decides', async () => {
  const { host, feed, sent } = await panelOf({ role: 'facilitator' });
  const pe = cardOf(host, 'pe');
  const select = find(pe, (e) => e.tagName === 'SELECT')[0];
  select.value = 'wait';
  feed(ev(3, 'decision.voted', 'co', 'trainee:co:ana', { decision_point: { id: 'D1', choice: 'escalate' } }));
  feed(ev(4, 'decision.made', 'co', 'system', { decision_point: { id: 'D1', choice: 'escalate', cause: 'vote', votes: [{ choice: 'escalate', votes: 1 }] } }));
  assert.equal(cardOf(host, 'pe'), pe);
  assert.equal(select.value, 'wait');
  assert.equal(host.children[1].children[0], pe, 'the open card comes before the decided one');
  assert.equal(cardOf(host, 'co').dataset.state, 'made');
  find(pe, (e) => e.tagName === 'FORM')[0].fire('submit', { preventDefault() {} });
  assert.deepEqual(sent, [{ type: 'decide', team: 'pe', decision_point: { id: 'D1', choice: 'wait' } }]);
});

test('placeInOrder moves only the cards out of place', async () => {
  const body = installFakeDOM();
  const { placeInOrder } = await import('../js/dom.js');
  const [a, b, c, n] = ['a', 'b', 'c', 'n'].map((id) => Object.assign(document.createElement('div'), { id }));
  body.append(a, b, c);
  const moved = [];
  const insert = body.insertBefore.bind(body);
  body.insertBefore = (el, ref) => { moved.push(el.id); return insert(el, ref); };
  placeInOrder(body, [b, c, a]);
  assert.deepEqual(body.children.map((e) => e.id), ['b', 'c', 'a']);
  assert.deepEqual(moved, ['a']);
  moved.length = 0;
  placeInOrder(body, [n, b, c]);
  assert.deepEqual(body.children.map((e) => e.id), ['n', 'b', 'c']);
  assert.deepEqual(moved, ['n']);
});

test('under the pointer, the cards keep their order; a decided card goes to the end when the pointer leaves', async () => {
  const { host, feed } = await panelOf({ role: 'facilitator' });
  const list = host.children[1];
  const order = () => list.children.map((c) => `${c.dataset.team}:${c.dataset.state}`);
  assert.deepEqual(order(), ['co:open', 'pe:open']);
  list.fire('pointerenter');
  feed(ev(4, 'decision.made', 'co', 'system', { decision_point: { id: 'D1', choice: 'escalate', cause: 'vote', votes: [{ choice: 'escalate', votes: 1 }] } }));
  assert.deepEqual(order(), ['co:made', 'pe:open'], 'a card moved under the pointer');
  list.fire('pointerleave');
  assert.deepEqual(order(), ['pe:open', 'co:made']);
});
