// Tests of the pure functions of js/messages.js (no DOM needed): run with
// `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  messageOf, groupThreads, unreadIn, totalUnread, allowedLevels, defaultLevel,
  tlpMoreOpen, parseIndicators, replyTarget,
} from '../js/messages.js';
import { eventText } from '../js/format.js';
import { Directory } from '../js/model.js';

/** sent builds a message.sent event as the server sends it. */
function sent(seq, data, extra = {}) {
  return { seq, at: seq * 60e9, type: 'message.sent', actor: 'trainee:co-csirt:Ana', team: data.from, data, ...extra };
}

const log = [
  sent(10, { kind: 'message', thread: 10, from: 'co-csirt', peers: ['pe-csirt'], tlp: 'green', text: 'Seen this C2?' }),
  sent(12, { kind: 'rfi', thread: 12, from: 'cl-csirt', peers: ['co-csirt'], tlp: 'amber', inject: 'G20', cause: 'inject:G20' }, { actor: 'system' }),
  sent(15, { kind: 'reply', thread: 10, reply_to: 10, from: 'pe-csirt', peers: ['co-csirt'], tlp: 'green', text: 'Yes, since Monday.' }),
  sent(18, { kind: 'reply', thread: 10, reply_to: 15, from: 'co-csirt', peers: ['pe-csirt'], tlp: 'clear', text: 'Thanks', reason: 'TLP violation: …' }),
];

test('messageOf reads message.sent events and ignores the others', () => {
  assert.equal(messageOf({ type: 'team.action', seq: 3, data: {} }), null);
  const m = messageOf(log[1]);
  assert.equal(m.kind, 'rfi');
  assert.equal(m.thread, 12);
  assert.equal(m.from, 'cl-csirt');
  assert.equal(m.inject, 'G20');
  assert.equal(m.text, '');
  assert.deepEqual(m.indicators, []);
  assert.equal(messageOf(log[2]).replyTo, 10);
  assert.equal(messageOf(log[3]).tlp, 'clear');
});

test('groupThreads puts replies in their thread, newest activity first', () => {
  const threads = groupThreads(log.map(messageOf));
  assert.deepEqual(threads.map((th) => th.id), [10, 12]);
  const [talk, rfi] = threads;
  assert.deepEqual(talk.messages.map((m) => m.seq), [10, 15, 18]);
  assert.equal(talk.kind, 'message');
  assert.equal(talk.rfi, false);
  assert.equal(talk.tlp, 'green', 'the most restrictive TLP of the thread');
  assert.deepEqual(talk.parties.sort(), ['co-csirt', 'pe-csirt']);
  assert.equal(talk.lastSeq, 18);
  assert.equal(rfi.rfi, true);
  assert.equal(rfi.inject, 'G20');
  // Order does not depend on arrival order.
  const again = groupThreads([...log].reverse().map(messageOf));
  assert.deepEqual(again.map((th) => th.id), [10, 12]);
  assert.deepEqual(again[0].messages.map((m) => m.seq), [10, 15, 18]);
  // A new message in the older thread moves it up.
  const moved = groupThreads([...log, sent(20, { kind: 'reply', thread: 12, reply_to: 12, from: 'co-csirt', peers: ['cl-csirt'], tlp: 'amber', text: 'Here.' })].map(messageOf));
  assert.deepEqual(moved.map((th) => th.id), [12, 10]);
});

test('unread counts only what others wrote after what the team read', () => {
  const threads = groupThreads(log.map(messageOf));
  const [talk, rfi] = threads;
  assert.equal(unreadIn(talk, 'co-csirt'), 1, "the team's own messages are never unread");
  assert.equal(unreadIn(talk, 'co-csirt', 15), 0);
  assert.equal(unreadIn(talk, 'pe-csirt'), 2);
  assert.equal(unreadIn(talk, 'pe-csirt', 10), 1);
  assert.equal(unreadIn(rfi, 'co-csirt'), 1);
  assert.equal(totalUnread(threads, 'co-csirt'), 2);
  assert.equal(totalUnread(threads, 'co-csirt', { 10: 18 }), 1);
  assert.equal(totalUnread(threads, 'co-csirt', { 10: 18, 12: 12 }), 0);
});

test('allowed TLP levels are those every chosen link allows', () => {
  const peers = [
    { team: 'pe-csirt', tlp: ['clear', 'green', 'amber'] },
    { team: 'cl-csirt', tlp: ['TLP:GREEN', 'amber+strict'] },
  ];
  assert.deepEqual(allowedLevels(peers, ['pe-csirt']), ['clear', 'green', 'amber']);
  assert.deepEqual(allowedLevels(peers, ['pe-csirt', 'cl-csirt']), ['green']);
  assert.deepEqual(allowedLevels(peers, []), ['clear', 'green', 'amber', 'amber+strict'], 'with nobody chosen: what any link allows');
  assert.deepEqual(allowedLevels([{ team: 'x', tlp: ['red'] }, { team: 'y', tlp: ['clear'] }], ['x', 'y']), []);
  assert.equal(defaultLevel(['clear', 'green', 'amber'], 'TLP:GREEN'), 'green', "the subject's marking when allowed");
  assert.equal(defaultLevel(['clear', 'green'], 'red'), 'green', 'else the most restrictive allowed');
  assert.equal(defaultLevel([], 'red'), '');
  assert.equal(tlpMoreOpen('clear', 'green'), true);
  assert.equal(tlpMoreOpen('amber', 'green'), false);
  assert.equal(tlpMoreOpen('green', ''), false, 'nothing to violate without a marking');
});

test('indicators are the non-empty lines', () => {
  assert.deepEqual(parseIndicators(' evil[.]com \n\n185.220.101.7\n  '), ['evil[.]com', '185.220.101.7']);
  assert.deepEqual(parseIndicators(''), []);
});

test('a reply answers the latest message of another party and goes to its sender', () => {
  const isTeam = (id) => ['co-csirt', 'pe-csirt', 'cl-csirt'].includes(id);
  const [talk, rfi] = groupThreads(log.map(messageOf));
  const r = replyTarget(talk, 'co-csirt', isTeam);
  assert.equal(r.msg.seq, 15);
  assert.deepEqual(r.teams, ['pe-csirt']);
  assert.equal(replyTarget(talk, 'pe-csirt', isTeam).msg.seq, 18);
  assert.deepEqual(replyTarget(rfi, 'co-csirt', isTeam).teams, ['cl-csirt']);
  // A scripted message from an actor: the reply goes to the actor.
  const actor = groupThreads([messageOf(sent(30, { kind: 'rfi', thread: 30, from: 'mintic', peers: ['co-csirt'], tlp: 'amber', inject: 'I07' }))])[0];
  assert.deepEqual(replyTarget(actor, 'co-csirt', isTeam), { msg: actor.messages[0], teams: [], actor: 'mintic' });
  // Only the team's own message: to the others it went to.
  const own = groupThreads([log[0]].map(messageOf))[0];
  assert.deepEqual(replyTarget(own, 'co-csirt', isTeam).teams, ['pe-csirt']);
});

test('the timeline says who wrote to whom, of what kind, at which TLP', () => {
  const dir = new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }, { id: 'pe-csirt', name: 'PeCERT' }, { id: 'cl-csirt', name: 'CSIRT de Gobierno' }],
    msel: [{ id: 'G20', title: 'Question from Chile' }] });
  assert.equal(eventText(log[0], dir), 'colCERT (Ana) wrote to PeCERT at TLP:GREEN: “Seen this C2?”');
  assert.equal(eventText(log[1], dir), 'CSIRT de Gobierno asked colCERT for information at TLP:AMBER (G20 — Question from Chile)');
  assert.equal(eventText({ ...log[2], actor: 'sim:pe-csirt' }, dir), 'PeCERT (simulated) replied to colCERT at TLP:GREEN: “Yes, since Monday.”');
  assert.equal(eventText(log[3], dir), 'colCERT (Ana) replied to PeCERT at TLP:CLEAR: “Thanks” — TLP violation');
  assert.equal(eventText(sent(40, { kind: 'forward', thread: 40, reply_to: 15, from: 'co-csirt', peers: ['cl-csirt'], tlp: 'green', text: 'FYI' }), dir),
    'colCERT (Ana) forwarded a message to CSIRT de Gobierno at TLP:GREEN: “FYI”');
  assert.equal(eventText(sent(41, { kind: 'reply', thread: 30, reply_to: 30, from: 'co-csirt', target: 'mintic', tlp: 'amber', text: 'Done' }),
    new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }], actors: [{ id: 'mintic', name: 'Ministry of ICT' }] })),
  'colCERT (Ana) replied to Ministry of ICT at TLP:AMBER: “Done”');
});
