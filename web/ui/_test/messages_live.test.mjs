// Tests of the Messages panel of js/messages.js over the DOM stand-in:
// what a trainee is using (a thread button, Reply, a draft, a subject
// picked, a button that is sending) stays under them while messages,
// injects and statuses come. Run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Directory } from '../js/model.js';
import { i18n } from '../js/i18n.js';
import { installFakeDOM } from './fakedom.mjs';

i18n.catalogs.set('en', JSON.parse(readFileSync(new URL('../../../internal/i18n/catalog/en.json', import.meta.url), 'utf8')));
i18n.lang = 'en';

/* ---------- the panel ---------- */

/** sent builds a message.sent event message as the socket delivers it. */
function sent(seq, data) {
  const actor = data.from === 'co' ? 'trainee:co:Ana' : 'system';
  return { type: 'event', event: { seq, at: seq * 60e9, type: 'message.sent', actor, team: data.from, data } };
}

/** delivered builds an inject.delivered event message for team co. */
function delivered(seq, id, tlp) {
  return { type: 'event', event: { seq, at: seq * 60e9, type: 'inject.delivered', team: 'co', data: { inject: id, tlp } }, inject: { id, title: `Title ${id}`, tlp } };
}

/**
 * panelOf mounts the Messages panel of team co over the stand-in and
 * returns it with feed (an event), status (a status message), the
 * commands sent and answer() (resolves the command waiting).
 */
async function panelOf() {
  const body = installFakeDOM();
  const { MessagesPanel } = await import('../js/messages.js');
  const handlers = {};
  const cmds = [];
  const waiting = [];
  const socket = {
    state: 'online',
    on: (type, fn) => { handlers[type] = fn; },
    command: (c) => { cmds.push(c); return new Promise((resolve) => waiting.push(() => resolve({ seq: 100 }))); },
  };
  const ctx = {
    you: { role: 'trainee', team: 'co', name: 'Ana' },
    session: { exercise: 'x1' },
    exercise: { peers: [{ team: 'pe', name: 'PeCERT', tlp: ['clear', 'green', 'amber', 'red'] }, { team: 'cl', name: 'CL', tlp: ['clear', 'green', 'amber', 'red'] }] },
    socket,
    dir: new Directory({ teams: [{ id: 'co', name: 'colCERT' }, { id: 'pe', name: 'PeCERT' }, { id: 'cl', name: 'CL' }] }),
  };
  const host = document.createElement('div');
  body.appendChild(host);
  const panel = new MessagesPanel(ctx, host);
  const feed = (m) => handlers.event(m);
  const status = (s) => handlers.status({ type: 'status', status: { status: s } });
  status('running');
  return { panel, host, feed, status, cmds, answer: () => waiting.shift()() };
}

const threadButton = (host, id) => host.querySelector(`button[data-thread=${id}]`);
const byId = (host, id) => host.querySelector(`#${id}`);
const submitEvent = { preventDefault() {} };

test('a new message leaves the thread a trainee has the keyboard on in place, and the list its scroll', async () => {
  const { host, feed } = await panelOf();
  feed(sent(10, { kind: 'message', thread: 10, from: 'co', peers: ['pe'], tlp: 'green', text: 'Seen this C2?' }));
  feed(sent(12, { kind: 'message', thread: 12, from: 'cl', peers: ['co'], tlp: 'amber', text: 'Hello' }));
  const list = byId(host, 'msg-threads');
  const btn = threadButton(host, 10);
  btn.focus();
  list.scrollTop = 40;

  feed(sent(15, { kind: 'reply', thread: 10, reply_to: 10, from: 'pe', peers: ['co'], tlp: 'green', text: 'Yes.' }));
  feed(sent(16, { kind: 'rfi', thread: 16, from: 'pe', peers: ['co'], tlp: 'amber', text: 'Anything on G20?' }));

  assert.ok(btn.isConnected, 'the thread button was replaced');
  assert.ok(byId(host, 'msg-threads') === list, 'the list was made again');
  assert.equal(list.scrollTop, 40, 'the list lost its scroll position');
  assert.ok(document.activeElement === btn, 'the keyboard left the thread');
    assert.deepEqual(list.children.map((li) => li.firstElementChild.dataset.thread), ['16', '10', '12'], 'newest activity first');
  assert.equal(btn.dataset.unread, '1');
  assert.ok(btn.classList.contains('unread'));
  assert.match(btn.textContent, /2 messages/);
  assert.match(btn.textContent, /1 new/);
  assert.equal(threadButton(host, 16).dataset.rfi, 'true');
  assert.equal(host.querySelector('#msg-empty'), null, 'no "no messages" line with threads');
  btn.click();
  assert.equal(byId(host, 'messages').dataset.view, 'thread');
  assert.equal(byId(host, 'msg-thread-messages').children.length, 2);
});

test('a reply that arrives in the open thread keeps Reply, its focus and the draft, and the reply answers it', async () => {
  const { host, feed, cmds } = await panelOf();
  feed(sent(10, { kind: 'message', thread: 10, from: 'co', peers: ['pe'], tlp: 'green', text: 'Seen this C2?' }));
  feed(sent(15, { kind: 'reply', thread: 10, reply_to: 10, from: 'pe', peers: ['co'], tlp: 'green', text: 'Yes.' }));
  threadButton(host, 10).click();
  const replyBtn = byId(host, 'msg-reply-open');
  const form = byId(host, 'msg-reply-form');
  const text = byId(host, 'msg-reply-text');
  const options = byId(host, 'msg-reply-tlp').children;
  replyBtn.click();
  assert.equal(form.hidden, false);
  text.value = 'We blocked it.';
  replyBtn.click(); // collapsed, the draft kept
  replyBtn.focus();
  assert.equal(form.dataset.replyTo, '15');

  feed(sent(20, { kind: 'reply', thread: 10, reply_to: 15, from: 'pe', peers: ['co'], tlp: 'green', text: 'And since Monday.' }));

  assert.ok(replyBtn.isConnected, 'Reply was replaced');
  assert.ok(document.activeElement === replyBtn, 'the keyboard left Reply');
  assert.ok(text.isConnected && form.isConnected, 'the reply form was replaced');
  assert.equal(text.value, 'We blocked it.', 'the draft was lost');
  assert.ok(options.every((o) => o.isConnected), 'the TLP options were made again');
  assert.deepEqual(byId(host, 'msg-thread-messages').children.map((li) => li.dataset.seq), ['10', '15', '20']);
  assert.equal(form.dataset.replyTo, '20', 'the reply answers the newest message');
  assert.equal(form.querySelector('p').textContent, 'To: PeCERT');
  replyBtn.click();
  form.fire('submit', submitEvent);
  assert.deepEqual(cmds, [{ type: 'reply', message: 20, text: 'We blocked it.', tlp: 'green' }]);
});

test('a message in the open thread while a form is open appends it, and a forward keeps its message', async () => {
  const { host, feed } = await panelOf();
  feed(sent(10, { kind: 'message', thread: 10, from: 'pe', peers: ['co'], tlp: 'green', text: 'First' }));
  threadButton(host, 10).click();
  const fwd = byId(host, 'msg-forward-form');
  byId(host, 'msg-forward-open').click();
  byId(host, 'msg-forward-text').value = 'FYI';
  feed(sent(11, { kind: 'reply', thread: 10, reply_to: 10, from: 'pe', peers: ['co'], tlp: 'red', text: 'Secret' }));
  assert.equal(fwd.hidden, false);
  assert.equal(fwd.dataset.message, '10', 'the message being forwarded changed under the trainee');
  assert.equal(byId(host, 'msg-forward-text').value, 'FYI');
  assert.equal(byId(host, 'msg-thread-messages').children.length, 2);
  assert.equal(byId(host, 'msg-reply-form').dataset.replyTo, '11', 'the closed reply answers the newest message');
  // An open reply keeps the message it was opened on.
  byId(host, 'msg-reply-open').click();
  feed(sent(12, { kind: 'reply', thread: 10, reply_to: 11, from: 'pe', peers: ['co'], tlp: 'green', text: 'More' }));
  assert.equal(byId(host, 'msg-reply-form').hidden, false);
  assert.equal(byId(host, 'msg-reply-form').dataset.replyTo, '11', 'the reply being written changed its message');
});

test('statuses leave Forward of a TLP:RED message disabled', async () => {
  const { host, feed, status } = await panelOf();
  feed(sent(10, { kind: 'message', thread: 10, from: 'pe', peers: ['co'], tlp: 'red', text: 'Secret' }));
  threadButton(host, 10).click();
  const fwdOpen = byId(host, 'msg-forward-open');
  assert.equal(fwdOpen.disabled, true);
  status('running');
  assert.equal(fwdOpen.disabled, true, 'a status enabled Forward of a TLP:RED message');
  assert.equal(byId(host, 'msg-reply-open').disabled, false);
  // The thread's newest message is no longer RED: Forward is allowed.
  feed(sent(11, { kind: 'reply', thread: 10, reply_to: 10, from: 'pe', peers: ['co'], tlp: 'amber', text: 'Public part' }));
  assert.equal(fwdOpen.disabled, false);
  status('ended');
  assert.equal(fwdOpen.disabled, true);
});

test('statuses leave a button that is sending disabled until it is answered', async () => {
  const { host, feed, status, cmds, answer } = await panelOf();
  // A reply being sent.
  feed(sent(10, { kind: 'message', thread: 10, from: 'pe', peers: ['co'], tlp: 'green', text: 'Hello' }));
  threadButton(host, 10).click();
  byId(host, 'msg-reply-open').click();
  byId(host, 'msg-reply-text').value = 'Noted';
  const submit = byId(host, 'msg-reply-submit');
  byId(host, 'msg-reply-form').fire('submit', submitEvent);
  assert.equal(submit.dataset.state, 'pending');
  status('running');
  assert.equal(submit.disabled, true, 'a status enabled the reply being sent');
  answer();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(submit.dataset.state, 'done');
  assert.equal(submit.disabled, false);
  status('ended');
  assert.equal(submit.disabled, true);
  assert.equal(byId(host, 'msg-reply-open').disabled, true);
  status('running');
  assert.equal(cmds.length, 1);

  // A new message being sent.
  byId(host, 'msg-new').click();
  const peer = host.querySelectorAll('input[name=msg-peer]').find((i) => i.value === 'pe');
  peer.checked = true;
  peer.fire('change');
  byId(host, 'msg-text').value = 'Hello';
  const send = byId(host, 'msg-send');
  byId(host, 'msg-compose').fire('submit', submitEvent);
  assert.equal(send.dataset.state, 'pending');
  status('running');
  assert.equal(send.disabled, true, 'a status enabled the message being sent');
  assert.equal(cmds.length, 2);
});

test('an inject delivered while a message is being written adds its subject and leaves the others', async () => {
  const { host, feed } = await panelOf();
  feed(delivered(3, 'I01', 'amber'));
  byId(host, 'msg-new').click();
  const subject = byId(host, 'msg-subject');
  assert.deepEqual(subject.children.map((o) => o.value), ['', 'I01']);
  const before = subject.children;
  subject.value = 'I01';
  subject.fire('change');
  feed(delivered(4, 'I02', 'green'));
  assert.ok(before.every((o) => o.isConnected), 'the subjects offered were made again');
  assert.deepEqual(subject.children.map((o) => o.value), ['', 'I01', 'I02']);
  assert.equal(subject.children[2].textContent, 'I02 — Title I02');
  assert.equal(subject.value, 'I01');
  assert.equal(byId(host, 'msg-tlp').value, 'amber');
});

test('a reply sent while a newer message came closes, and opened again answers the newer one', async () => {
  const { host, feed, cmds, answer } = await panelOf();
  feed(sent(10, { kind: 'message', thread: 10, from: 'pe', peers: ['co', 'cl'], tlp: 'green', text: 'From PeCERT' }));
  threadButton(host, 10).click();
  const open = byId(host, 'msg-reply-open');
  open.click();
  const form = byId(host, 'msg-reply-form');
  assert.equal(form.dataset.replyTo, '10');
  byId(host, 'msg-reply-text').value = 'Thanks';
  feed(sent(11, { kind: 'reply', thread: 10, reply_to: 10, from: 'cl', peers: ['co', 'pe'], tlp: 'green', text: 'From CL' }));
  assert.equal(form.dataset.replyTo, '10', 'the reply being written keeps its message');
  form.fire('submit', submitEvent);
  assert.equal(cmds[0].message, 10);
  answer();
  await new Promise((resolve) => { setTimeout(resolve); });
  assert.equal(form.hidden, true);
  assert.equal(open.getAttribute('aria-expanded'), 'false', 'the Reply button still says its form is open');
  open.click();
  assert.equal(form.dataset.replyTo, '11', 'opened again, the reply still answers the older message');
});
