// Tests of the "To judge" queue (js/judge.js) over the DOM stand-in: an
// item someone is judging stays where it is when a colleague's judgement
// settles it, and moves once the judge sends, dismisses or leaves it. Run
// with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { installFakeDOM, descendants, tick } from './fakedom.mjs';
import { SETTLE_MS } from '../js/dom.js';
import { Directory } from '../js/model.js';
import { i18n } from '../js/i18n.js';

i18n.catalogs.set('en', JSON.parse(readFileSync(new URL('../../../internal/i18n/catalog/en.json', import.meta.url), 'utf8')));
i18n.lang = 'en';

/**
 * queueOf mounts a JudgeQueue over the fake DOM with two answers to judge
 * (co's, then pe's) and returns it with a feed of events, the commands sent
 * and the document's pointer listeners (press() and release() a pointer).
 */
async function queueOf({ lead = false } = {}) {
  const body = installFakeDOM();
  const { JudgeQueue } = await import('../js/judge.js');
  const sent = [];
  const socket = { state: 'online', on() {}, command: async (c) => { sent.push(c); return { seq: 100 }; } };
  const ctx = { socket, dir: new Directory({ teams: [{ id: 'co', name: 'colCERT' }, { id: 'pe', name: 'PeCERT' }] }) };
  const root = document.createElement('section');
  body.appendChild(root);
  const q = new JudgeQueue(root, ctx, { canJudge: true, lead });
  for (const [seq, team] of [[10, 'co'], [11, 'pe']]) {
    q.add({ event: { seq, at: seq * 60e9, type: 'expectation.met', team, data: { inject: 'I01', expectation: 'publish', points: 10, max_points: 10, provisional: true, cause: `action:${seq - 5}` } } });
  }
  let seq = 20;
  /** judge feeds a judgement of team's answer by actor and the score the engine gives it. */
  const judge = (team, actor, rating, content) => {
    const data = { inject: 'I01', expectation: 'publish', max_points: 10, rating, content, decision: actor.startsWith('facilitator:') };
    q.add({ event: { seq: ++seq, type: 'expectation.judged', team, actor, data } });
    q.add({ event: { seq: ++seq, type: 'expectation.scored', team, actor: 'system', data: { ...data, points: content, decision: data.decision } } });
  };
  return { q, root, judge, sent, press: () => document.fire('pointerdown'), release: () => document.fire('pointerup') };
}

/** find returns the elements under root for which ok is true, in document order. */
const find = (root, ok) => descendants(root).filter(ok);

const byClass = (root, cls) => find(root, (e) => e.classList.contains(cls))[0];
const radio = (it, rating) => find(it.li, (e) => e.tagName === 'INPUT' && e.value === rating)[0];

/** submit sends an item's form as a click on its button would, and waits for the command's answer. */
async function submit(it) {
  it.form.fire('submit', { preventDefault() {} });
  await tick();
}

test('a colleague\'s judgement leaves an answer being judged here in place, focused, with its draft, marked as judged by them', async () => {
  const { q, judge, sent } = await queueOf();
  const it = q.items.get('I01.publish@co');
  const comment = byClass(it.li, 'judge-comment');
  radio(it, 'partly').checked = true;
  radio(it, 'partly').fire('change');
  comment.value = 'Names the domain.';
  comment.fire('input');
  comment.focus();

  judge('co', 'evaluator:Vic', 'met', 10);
  assert.equal(it.li.parentNode, q.todo, 'the item moved from under the judge');
  assert.equal(document.activeElement, comment);
  assert.equal(comment.value, 'Names the domain.');
  assert.ok(radio(it, 'partly').checked);
  assert.equal(it.li.dataset.state, 'judged');
  assert.equal(it.li.dataset.held, 'true');
  const mark = byClass(it.li, 'judge-held');
  assert.equal(mark.hidden, false);
  assert.equal(mark.textContent.startsWith('Vic has just judged this answer: Met, 10/10.'), true, mark.textContent);
  assert.equal(q.count.dataset.count, 1, 'the count says what waits for a judgement');

  // Eva sends her own judgement: it is recorded too (its events come while
  // it is sent, and are no colleague's), and the item moves to the judged ones.
  const command = q.ctx.socket.command;
  q.ctx.socket.command = async (c) => { judge('co', 'evaluator:Eva', 'partly', 5); return command(c); };
  await submit(it);
  assert.deepEqual(sent, [{ type: 'judge', team: 'co', inject: 'I01', expectation: 'publish', rating: 'partly', points: 5, text: 'Names the domain.' }]);
  assert.equal(it.li.parentNode, q.done);
  assert.equal(mark.hidden, true);
  assert.equal(it.li.dataset.held, 'false');
  assert.equal(document.activeElement, q.items.get('I01.publish@pe').title, 'the keyboard goes on to the next answer to judge');
});

test('an answer held only by the keyboard moves once the judge leaves it', async () => {
  const { q, judge } = await queueOf();
  const it = q.items.get('I01.publish@co');
  radio(it, 'met').focus();
  judge('co', 'evaluator:Vic', 'not_met', 0);
  assert.equal(it.li.parentNode, q.todo);
  assert.equal(byClass(it.li, 'judge-held').hidden, false);

  // The judge tabs out of the item to the next one.
  const next = radio(q.items.get('I01.publish@pe'), 'met');
  next.focus();
  it.li.fire('focusout', { relatedTarget: next });
  await tick();
  assert.equal(it.li.parentNode, q.done);
  assert.equal(byClass(it.li, 'judge-held').hidden, true);
  assert.equal(document.activeElement, next);
});

test('dismissing the mark moves a drafted answer to the judged ones, draft kept', async () => {
  const { q, judge } = await queueOf();
  const it = q.items.get('I01.publish@co');
  const points = byClass(it.li, 'judge-points');
  points.value = '3';
  points.fire('input');
  judge('co', 'evaluator:Vic', 'partly', 5);
  assert.equal(it.li.parentNode, q.todo, 'a draft holds the item even without the keyboard in it');
  const dismiss = byClass(it.li, 'judge-held-dismiss');
  dismiss.focus();
  dismiss.click();
  assert.equal(it.li.parentNode, q.done);
  assert.equal(points.value, '3');
  assert.equal(document.activeElement, q.items.get('I01.publish@pe').title);
});

test('a lead evaluator\'s decision is marked as a decision', async () => {
  const { q, judge } = await queueOf();
  const it = q.items.get('I01.publish@pe');
  radio(it, 'met').checked = true;
  radio(it, 'met').fire('change');
  judge('pe', 'facilitator:Fran', 'not_met', 0);
  assert.equal(it.li.parentNode, q.todo);
  assert.match(byClass(it.li, 'judge-held').textContent, /^Fran has just decided on this answer: Not met, 0\/10\./);
});

test('nothing moves between a press and its click; what waited moves on the release', async () => {
  const { q, judge, press, release } = await queueOf();
  const co = q.items.get('I01.publish@co');
  press(); // on PeCERT's answer, below colCERT's
  judge('co', 'evaluator:Vic', 'met', 10);
  assert.equal(co.li.parentNode, q.todo, 'the item above the press moved');
  assert.equal(byClass(co.li, 'judge-held').hidden, true, 'a press is no reason to mark anything');
  release();
  await tick();
  assert.equal(co.li.parentNode, q.todo, 'moved before the click of a tap, which comes after the lift');
  await tick(SETTLE_MS + 10);
  assert.equal(co.li.parentNode, q.done);
});

test('an answer nobody here is judging moves to the judged ones at once, oldest first', async () => {
  const { q, judge } = await queueOf();
  judge('pe', 'evaluator:Vic', 'met', 10);
  judge('co', 'evaluator:Vic', 'met', 10);
  assert.deepEqual(q.done.children.map((li) => li.dataset.team), ['co', 'pe']);
  assert.equal(q.todo.children.length, 0);
  assert.equal(q.empty.hidden, false);
  assert.equal(q.doneWrap.hidden, false);
});

test('under the pointer, an answer a colleague judged stays in the queue until the pointer leaves', async () => {
  const { q, judge } = await queueOf();
  const co = q.items.get('I01.publish@co');
  q.todo.fire('pointerenter');
  judge('co', 'evaluator:Vic', 'met', 10);
  assert.equal(co.li.parentNode, q.todo, 'the answer left from under the pointer: the next one moved up under it');
  q.todo.fire('pointerleave');
  await tick();
  assert.equal(co.li.parentNode, q.done);
});
