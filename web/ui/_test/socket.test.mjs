// Tests of js/socket.js against a fake server: run with `node --test web/ui/_test/`.
// (The _test folder starts with "_", so `//go:embed ui` leaves it out.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExerciseSocket, commandMatches, backoffDelay } from '../js/socket.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A fake server with an event log; `mode` makes it lose the next frame
// ("lose"), or apply it and drop the connection before the ack ("dropack").
function fakeServer() {
  const server = { log: [], socks: new Set(), mode: 'normal', applied: 0 };
  class WS {
    constructor(url) {
      this.open = false;
      const since = Number(new URL(url).searchParams.get('since'));
      server.socks.add(this);
      setTimeout(() => {
        this.open = true;
        this.emit({ type: 'welcome', seq: server.log.length });
        for (const e of server.log) if (e.seq > since) this.emit({ type: 'event', seq: e.seq, at: 0, event: e });
        this.emit({ type: 'caught_up', seq: server.log.length });
      }, 5);
    }
    // emit sends m alone or, with server.batching, in a batch frame with
    // the other messages emitted in the same turn.
    emit(m) {
      if (!this.open) return;
      if (!server.batching) { this.onmessage({ data: JSON.stringify(m) }); return; }
      if (!this.out) {
        this.out = [];
        setTimeout(() => { const messages = this.out; this.out = null; this.emitFrame({ type: 'batch', messages }); }, 0);
      }
      this.out.push(m);
    }
    emitFrame(f) { if (this.open) this.onmessage({ data: JSON.stringify(f) }); }
    get readyState() { return this.open ? 1 : 3; }
    send(frame) {
      if (!this.open) throw new Error('closed');
      const m = JSON.parse(frame);
      if (server.mode === 'hold') { server.held = m; return; }
      if (server.mode === 'lose') { server.mode = 'normal'; this.kill(); return; }
      if (server.mode === 'unavailable') { server.mode = 'normal'; this.emit({ type: 'error', id: m.id, code: 'unavailable', message: 'moving' }); return; }
      if (m.type !== 'command') { this.emit({ type: 'ack', id: m.id, seq: server.log.length }); return; }
      const seq = server.log.length + 1;
      const ev = { seq, type: 'team.action', team: 'co', data: { inject: m.command.inject, action: m.command.type, command: { ...m.command, by: { role: 'trainee', team: 'co', name: 'Ana' } } } };
      server.log.push(ev);
      server.applied += 1;
      if (server.mode !== 'notstored') for (const s of server.socks) s.emit({ type: 'event', seq, at: 0, event: ev });
      if (server.mode === 'dropack') { server.mode = 'normal'; this.kill(); return; }
      if (server.mode === 'notstored') {
        // Applied, but not delivered: the server sends events once stored.
        server.log.pop();
        server.unstored = ev;
        server.mode = 'normal';
        this.emit({ type: 'error', id: m.id, code: 'not_stored', message: 'applied, not stored yet' });
        return;
      }
      if (server.mode === 'appliedunavailable') { server.mode = 'normal'; this.emit({ type: 'error', id: m.id, code: 'unavailable', message: 'moving' }); return; }
      if (m.command.type === 'share' && m.command.tlp === 'red') { this.emit({ type: 'error', id: m.id, code: 'forbidden', message: 'no red' }); return; }
      this.emit({ type: 'ack', id: m.id, seq });
    }
    kill() { this.open = false; server.socks.delete(this); setTimeout(() => this.onclose({}), 0); }
    close() { this.closing = true; this.kill(); }
  }
  server.dropAll = () => { for (const w of [...server.socks]) w.kill(); };
  server.createWebSocket = (u) => new WS(u);
  return server;
}

function client(server) {
  const s = new ExerciseSocket('ex', {
    principal: { role: 'trainee', team: 'co', name: 'Ana' },
    createWebSocket: server.createWebSocket,
    url: (since) => `ws://test/ws?since=${since}`,
  });
  s.start();
  return s;
}

test('ack resolves, error rejects, lastSeq follows events', async () => {
  const server = fakeServer();
  const s = client(server);
  await sleep(20);
  assert.equal(s.state, 'online');
  const r = await s.command({ type: 'acknowledge', inject: 'I01' });
  assert.deepEqual([r.seq, r.recovered], [1, false]);
  await assert.rejects(s.command({ type: 'share', inject: 'I01', peers: ['pe'], tlp: 'red' }), (e) => e.code === 'forbidden');
  assert.equal(s.lastSeq, 2);
  s.stop();
});

test('a command sent while offline is queued and sent after caught_up', async () => {
  const server = fakeServer();
  const s = client(server);
  await sleep(20);
  server.dropAll();
  await sleep(2);
  assert.equal(s.state, 'offline');
  const r = await s.command({ type: 'contain', inject: 'I01' });
  assert.equal(r.seq, 1);
  assert.equal(server.applied, 1);
  s.stop();
});

test('a command lost on the way is sent again once', async () => {
  const server = fakeServer();
  const s = client(server);
  await sleep(20);
  server.mode = 'lose';
  const r = await s.command({ type: 'classify', inject: 'I01', category: 'phishing', severity: 'high' });
  assert.equal(server.applied, 1);
  assert.equal(r.seq, 1);
  s.stop();
});

test('a command applied but not acked is found in the events, not resent', async () => {
  const server = fakeServer();
  const s = client(server);
  await sleep(20);
  server.mode = 'dropack';
  const r = await s.command({ type: 'escalate', inject: 'I01', target: 'mintic' });
  assert.equal(r.recovered, true);
  assert.equal(server.applied, 1);
  s.stop();
});

test('a command lost twice is rejected, not sent a third time', async () => {
  const server = fakeServer();
  const s = client(server);
  await sleep(20);
  server.mode = 'lose';
  const p = s.command({ type: 'publish', inject: 'I01', text: 'statement' });
  await sleep(2);
  server.mode = 'lose';
  // The page says why in its language (the key), the English stays for logs.
  await assert.rejects(p, (e) => e.code === 'unknown' && e.key === 'ui.error.dropped_twice' && /dropped twice/.test(e.message));
  assert.equal(server.applied, 0);
  s.stop();
});

test('an unavailable command is sent again after a reconnect', async () => {
  const server = fakeServer();
  const s = client(server);
  await sleep(20);
  server.mode = 'unavailable';
  const r = await s.command({ type: 'contain', inject: 'I01' });
  assert.equal(r.seq, 1);
  assert.equal(server.applied, 1);
  s.stop();
});

test('an unavailable command that was applied is found in the events, not resent', async () => {
  const server = fakeServer();
  const s = client(server);
  await sleep(20);
  server.mode = 'appliedunavailable';
  const r = await s.command({ type: 'contain', inject: 'I01' });
  assert.deepEqual([r.seq, r.recovered], [1, true]);
  assert.equal(server.applied, 1);
  s.stop();
});

test('a command applied but not stored is rejected as such and never sent again', async () => {
  const server = fakeServer();
  const s = client(server);
  await caughtUp(s);
  server.mode = 'notstored';
  await assert.rejects(s.command({ type: 'report', inject: 'I01', text: 'contained' }), (e) => e.code === 'not_stored');
  assert.equal(server.applied, 1);
  // A reconnect replays no record of it (the store has not confirmed it),
  // and still nothing is sent again.
  const back = caughtUp(s);
  server.dropAll();
  await back;
  assert.equal(server.applied, 1, 'the command was sent again after the reconnect');
  // Once stored, its event arrives like any other.
  server.log.push(server.unstored);
  for (const w of server.socks) w.emit({ type: 'event', seq: server.unstored.seq, at: 0, event: server.unstored });
  assert.equal(s.lastSeq, server.unstored.seq);
  s.stop();
});

// caughtUp resolves when s has received caught_up.
const caughtUp = (s) => new Promise((resolve) => { const off = s.on('caught_up', () => { off(); resolve(); }); });

test('a batch frame is handled as its messages, in order', async () => {
  const server = fakeServer();
  server.batching = true;
  const s = client(server);
  const seen = [];
  s.on('message', (m) => seen.push(m.type));
  await caughtUp(s);
  assert.equal(s.state, 'online');
  const r = await s.command({ type: 'acknowledge', inject: 'I01' });
  assert.equal(r.seq, 1);
  assert.equal(s.lastSeq, 1);
  assert.deepEqual(seen, ['welcome', 'caught_up', 'event', 'ack']);
  s.stop();
});

test('the rest of a batch is not handled once a message closes the socket', async () => {
  const server = fakeServer();
  const s = client(server);
  await caughtUp(s);
  server.mode = 'hold';
  s.command({ type: 'acknowledge', inject: 'I01' });
  assert.ok(server.held, 'the command was sent at once');
  const [ws] = server.socks;
  const later = { type: 'event', seq: 7, at: 0, event: { seq: 7, type: 'clock.paused' } };
  ws.emitFrame({ type: 'batch', messages: [{ type: 'error', id: server.held.id, code: 'unavailable', message: 'moving' }, later] });
  assert.ok(ws.closing, 'the unavailable error closes the socket');
  assert.equal(s.lastSeq, 0, 'the event after the close was handled');
  s.stop();
});

test('commandMatches compares type, inject and the principal team', () => {
  const me = { role: 'trainee', team: 'co' };
  assert.ok(commandMatches({ type: 'share', inject: 'I01', by: { role: 'trainee', team: 'co' } }, { type: 'share', inject: 'I01' }, me));
  assert.ok(!commandMatches({ type: 'share', inject: 'I02', by: { role: 'trainee', team: 'co' } }, { type: 'share', inject: 'I01' }, me));
  assert.ok(!commandMatches({ type: 'share', inject: 'I01', by: { role: 'trainee', team: 'pe' } }, { type: 'share', inject: 'I01' }, me));
  assert.ok(!commandMatches({ type: 'contain', inject: 'I01', by: { role: 'trainee', team: 'co' } }, { type: 'share', inject: 'I01' }, me));
});

test('commandMatches does not take a teammate\'s vote, or another choice, for the principal\'s', () => {
  const ana = { role: 'trainee', team: 'co', name: 'Ana' };
  const vote = { type: 'vote', decision_point: { id: 'D1', choice: 'escalate' } };
  const recorded = (name, choice) => ({ type: 'vote', by: { role: 'trainee', team: 'co', name }, decision_point: { id: 'D1', choice } });
  assert.ok(commandMatches(recorded('Ana', 'escalate'), vote, ana));
  assert.ok(!commandMatches(recorded('Luis', 'escalate'), vote, ana), 'Luis\'s vote is not Ana\'s');
  assert.ok(!commandMatches(recorded('Ana', 'wait'), vote, ana), 'her earlier vote for wait is not this one');
  assert.ok(!commandMatches({ ...recorded('Ana', 'escalate'), decision_point: { id: 'D2', choice: 'escalate' } }, vote, ana));
});

test('backoff grows from 0.5 s to 10 s with jitter', () => {
  assert.equal(backoffDelay(0, () => 0), 500);
  assert.equal(backoffDelay(2, () => 0.5), 2000);
  assert.equal(backoffDelay(10, () => 1), 10000);
  for (let n = 0; n < 20; n += 1) {
    const d = backoffDelay(n);
    assert.ok(d >= 500 && d <= 10000);
  }
});
