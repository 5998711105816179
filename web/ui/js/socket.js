// WebSocket client for /api/exercises/{id}/ws (see docs/protocol.md).
//
// - tracks lastSeq from event messages and reconnects with ?since=lastSeq,
//   with exponential backoff (0.5 s → 10 s, with jitter) after any close;
// - exposes the connection state: "connecting", "online", "offline";
// - send()/command() give each message a unique id and return a Promise
//   resolved by the matching `ack` and rejected by the matching `error`;
// - never loses a submitted action: messages sent while offline are queued
//   and sent after the next `caught_up`; a command whose connection dropped
//   before its ack is kept, and after reconnecting the client looks for an
//   event recording it (data.command with the same type, inject and the
//   principal's team) among the events received since it was sent — found:
//   resolved; not found: sent again, once. An `unavailable` error (the
//   exercise is moving between servers: the command may or may not have
//   been applied) is handled the same way, after a reconnect. A
//   `not_stored` error (applied, but the store has not confirmed it yet)
//   rejects the command like any other error and is never sent again: it
//   appears in the events once the store recovers;
// - takes a `batch` frame (several queued messages in one) apart and
//   handles its messages one by one, in order.

export const MAX_MESSAGE = 64 * 1024;
const BACKOFF_MIN = 500;
const BACKOFF_MAX = 10000;
// CLOSE_SESSION_ENDED is the close code of a socket whose session was
// signed out or expired (see docs/protocol.md).
export const CLOSE_SESSION_ENDED = 4001;

export class CommandError extends Error {
  constructor(code, message) {
    super(message || code);
    this.name = 'CommandError';
    this.code = code || 'error';
  }
}

/**
 * dropped is the error of a command whose answer the connection lost:
 * message in English, key what the page says in its language.
 */
function dropped(message, key) {
  const err = new CommandError('unknown', message);
  err.key = key;
  return err;
}

function randomPrefix() {
  const b = new Uint8Array(4);
  (globalThis.crypto || window.crypto).getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function wsURL(exerciseId, since) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/exercises/${encodeURIComponent(exerciseId)}/ws?since=${since}`;
}

/** backoffDelay returns the wait before reconnect attempt n (0-based), in ms. */
export function backoffDelay(n, rand = Math.random) {
  const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** n);
  // ±25 % jitter, never below the minimum or above the maximum.
  const d = base * (0.75 + rand() * 0.5);
  return Math.round(Math.max(BACKOFF_MIN, Math.min(BACKOFF_MAX, d)));
}

/**
 * commandMatches reports whether an event's recorded command is the
 * command cmd sent by principal (same type, inject, team of the principal
 * and, when both are known, the principal's name; plus the managed team,
 * text, ad-hoc title and decision choice when set). A teammate's command
 * of the same kind is not the principal's.
 */
export function commandMatches(recorded, cmd, principal) {
  if (!recorded || !cmd) return false;
  if (recorded.type !== cmd.type) return false;
  if ((recorded.inject || '') !== (cmd.inject || '')) return false;
  const by = recorded.by || {};
  if ((by.team || '') !== ((principal && principal.team) || '')) return false;
  if (principal && principal.role && by.role && by.role !== principal.role) return false;
  if (principal && principal.name && by.name && by.name !== principal.name) return false;
  if (cmd.decision_point) {
    const dp = recorded.decision_point || {};
    if (dp.id !== cmd.decision_point.id || dp.choice !== cmd.decision_point.choice) return false;
  }
  if (cmd.team && (recorded.team || '') !== cmd.team) return false;
  if (cmd.text && (recorded.text || '') !== cmd.text) return false;
  if (cmd.adhoc && (!recorded.adhoc || recorded.adhoc.title !== cmd.adhoc.title)) return false;
  return true;
}

export class ExerciseSocket {
  /**
   * @param {string} exerciseId
   * @param {object} opts principal ({role, team, name}, for matching replayed
   *   commands), since (start seq), createWebSocket (url → WebSocket-like;
   *   tests pass a fake), url (seq → url).
   */
  constructor(exerciseId, opts = {}) {
    this.exerciseId = exerciseId;
    this.principal = opts.principal || null;
    this.lastSeq = opts.since || 0;
    this.createWebSocket = opts.createWebSocket || ((url) => new WebSocket(url));
    this.url = opts.url || ((since) => wsURL(exerciseId, since));
    this.state = 'offline';
    this.caughtUp = false;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.stopped = true;
    this.handlers = new Map();
    this.pending = new Map(); // id → {msg, resolve, reject, phase, resent, seen, seenSeq}
    this.prefix = `c${randomPrefix()}`;
    this.counter = 0;
    this.onBrowserOnline = () => { if (!this.stopped && this.state === 'offline') this.connectNow(); };
  }

  /** on subscribes fn to type ("state", "welcome", "event", "caught_up", "status", "error", "message"). */
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type).delete(fn);
  }

  emit(type, arg) {
    const set = this.handlers.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try { fn(arg); } catch (err) { console.error(`socket ${type} handler:`, err); }
    }
  }

  setState(s) {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    if (typeof window !== 'undefined') window.addEventListener('online', this.onBrowserOnline);
    this.connectNow();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onBrowserOnline);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      try { ws.close(1000, 'bye'); } catch { /* ignore */ }
    }
    this.setState('offline');
  }

  connectNow() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (this.ws) return;
    this.caughtUp = false;
    this.setState('connecting');
    let ws;
    try {
      ws = this.createWebSocket(this.url(this.lastSeq));
    } catch (err) {
      console.error('websocket:', err);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (e) => { if (this.ws === ws) this.handleFrame(e.data, ws); };
    ws.onclose = (e) => { if (this.ws === ws) this.handleClose(e && e.code); };
    ws.onerror = () => { /* a close follows */ };
  }

  handleClose(code) {
    this.ws = null;
    this.caughtUp = false;
    // Whatever was on the wire without an ack is now uncertain.
    for (const p of this.pending.values()) if (p.phase === 'sent') p.phase = 'uncertain';
    if (this.stopped) return;
    if (code === CLOSE_SESSION_ENDED) {
      // Signed out (here or in another tab) or expired: reconnecting
      // cannot help.
      this.stop();
      this.emit('session_ended', { code });
      return;
    }
    this.setState('offline');
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.nextRetryAt = Date.now() + delay;
    this.timer = setTimeout(() => this.connectNow(), delay);
  }

  handleFrame(data, ws = this.ws) {
    let msg;
    try { msg = JSON.parse(data); } catch { console.warn('socket: not JSON', data); return; }
    if (msg && msg.type === 'batch' && Array.isArray(msg.messages)) {
      // Several messages the server had queued, in one frame: each is
      // handled as if it had come alone, in order, and none once the
      // socket is closing (a browser drops the frames that follow close()).
      for (const m of msg.messages) {
        if (this.ws !== ws || (ws && ws.readyState > 1)) return;
        this.handleMessage(m);
      }
      return;
    }
    this.handleMessage(msg);
  }

  handleMessage(msg) {
    if (!msg || typeof msg !== 'object') return;
    this.emit('message', msg);
    switch (msg.type) {
      case 'welcome':
        this.attempt = 0;
        this.setState('online');
        this.emit('welcome', msg);
        break;
      case 'event': {
        const seq = msg.seq ?? (msg.event && msg.event.seq) ?? 0;
        if (seq && seq <= this.lastSeq) return; // already seen
        if (seq) this.lastSeq = seq;
        this.noteRecorded(msg);
        this.emit('event', msg);
        break;
      }
      case 'caught_up':
        this.caughtUp = true;
        this.attempt = 0;
        this.setState('online');
        this.emit('caught_up', msg);
        this.flush();
        break;
      case 'status':
        this.emit('status', msg);
        break;
      case 'ack':
        this.settle(msg.id, null, msg);
        break;
      case 'error':
        if (msg.code === 'unavailable' && msg.id && this.pending.has(msg.id)) {
          // The exercise is moving to another server, or the one running it
          // does not answer: the command may or may not have been applied.
          // Reconnect (perhaps to another server) and settle it as after a
          // dropped connection: found in the events, or sent again once.
          this.pending.get(msg.id).phase = 'uncertain';
          if (this.ws) this.ws.close(4000, 'exercise unavailable; reconnecting');
          break;
        }
        if (msg.id && this.pending.has(msg.id)) {
          this.settle(msg.id, new CommandError(msg.code, msg.message), null);
        } else {
          this.emit('error', msg);
        }
        break;
      default:
        break;
    }
  }

  /** noteRecorded marks pending commands that this event records. */
  noteRecorded(msg) {
    const ev = msg.event || {};
    const recorded = ev.data && ev.data.command;
    if (!recorded) return;
    for (const p of this.pending.values()) {
      if (p.phase === 'queued' || p.seen || !p.msg.command) continue;
      if (commandMatches(recorded, p.msg.command, this.principal)) {
        p.seen = true;
        p.seenSeq = ev.seq ?? msg.seq;
        break; // one event records one command
      }
    }
  }

  settle(id, err, ack) {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (err) p.reject(err);
    else p.resolve({ id, seq: ack ? ack.seq : p.seenSeq, recovered: !ack });
  }

  /** flush, after caught_up, resolves, resends or sends what is pending. */
  flush() {
    for (const [id, p] of [...this.pending]) {
      if (p.phase === 'uncertain') {
        if (p.seen) {
          this.settle(id, null, null);
        } else if (!p.msg.command) {
          // Not a logged command (e.g. jump): no way to tell whether it
          // took effect, so do not repeat it blindly.
          this.settle(id, dropped('The connection dropped before the server answered; check the timeline before trying again.', 'ui.error.dropped'));
        } else if (p.resent) {
          this.settle(id, dropped('The connection dropped twice before the server answered; check the timeline before trying again.', 'ui.error.dropped_twice'));
        } else {
          p.resent = true;
          this.transmit(p);
        }
      } else if (p.phase === 'queued') {
        this.transmit(p);
      }
    }
  }

  transmit(p) {
    p.phase = 'sent';
    try {
      this.ws.send(p.frame);
    } catch {
      p.phase = 'queued';
    }
  }

  /** send sends a message ({type, ...}); returns a Promise of its ack. */
  send(message) {
    this.counter += 1;
    const id = `${this.prefix}-${this.counter}`;
    const msg = { ...message, id };
    const frame = JSON.stringify(msg);
    return new Promise((resolve, reject) => {
      if (frame.length > MAX_MESSAGE - 1024) {
        const err = new CommandError('invalid', 'This message is too long to send; shorten the text.');
        err.key = 'ui.error.too_long'; // what the page says, in its language
        reject(err);
        return;
      }
      const p = { id, msg, frame, resolve, reject, phase: 'queued', resent: false, seen: false };
      this.pending.set(id, p);
      if (this.ws && this.caughtUp) this.transmit(p);
    });
  }

  /** command sends an engine command ({type, inject, ...}). */
  command(cmd) {
    return this.send({ type: 'command', command: cmd });
  }

  /** jump asks the server to move the clock to the next scheduled inject. */
  jump() {
    return this.send({ type: 'jump' });
  }

  /** pendingCount is how many messages wait for an answer. */
  get pendingCount() {
    return this.pending.size;
  }
}
