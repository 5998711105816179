// The virtual exercise clock, interpolated locally between status messages:
// while the exercise runs, virtual time advances at status.speed virtual
// seconds per wall second from the last status' `now`.

// LATE_STATUS_NS is how late (wall ns) a status may be for a running clock
// to keep its own time rather than step back.
const LATE_STATUS_NS = 1e9;

export class VirtualClock {
  constructor() {
    this.base = 0;        // virtual ns at baseWall
    this.baseWall = now(); // performance.now() ms
    this.speed = 1;
    this.status = 'ready';
    this.duration = 0;
    this.listeners = new Set();
    this.timer = null;
  }

  /**
   * update takes a status message's status object ({status, speed, now,
   * duration}). A running clock at an unchanged speed does not step back
   * for a status that is a little behind it: the server may hold a routine
   * status for up to a third of a second, which at 10× is three seconds.
   */
  update(st) {
    if (!st) return;
    if (typeof st.now === 'number') {
      const behind = this.now() - st.now;
      const steady = this.status === 'running' && st.status === 'running' && st.speed === this.speed;
      if (!(steady && behind > 0 && behind < LATE_STATUS_NS * this.speed)) {
        this.base = st.now;
        this.baseWall = now();
      }
    }
    if (typeof st.speed === 'number' && st.speed > 0) this.speed = st.speed;
    if (st.status) this.status = st.status;
    if (typeof st.duration === 'number') this.duration = st.duration;
    this.tick();
  }

  /**
   * observe moves the clock forward to an event's time if it is behind, and
   * shows it at once: after a jump, the inject that arrives says the time
   * before the next status does.
   */
  observe(at) {
    if (typeof at === 'number' && at > this.now()) {
      this.base = at;
      this.baseWall = now();
      this.tick();
    }
  }

  /** now returns the current virtual time in ns. */
  now() {
    if (this.status !== 'running') return this.base;
    const t = this.base + (now() - this.baseWall) * 1e6 * this.speed;
    return this.duration > 0 ? Math.min(t, this.duration) : t;
  }

  /** onTick calls fn(nowNs) about four times a second; returns an unsubscribe. */
  onTick(fn) {
    this.listeners.add(fn);
    if (!this.timer) this.timer = setInterval(() => this.tick(), 250);
    fn(this.now());
    return () => {
      this.listeners.delete(fn);
      if (!this.listeners.size) { clearInterval(this.timer); this.timer = null; }
    };
  }

  tick() {
    const t = this.now();
    for (const fn of this.listeners) {
      try { fn(t); } catch (err) { console.error('clock listener:', err); }
    }
  }
}

function now() {
  return (typeof performance !== 'undefined' ? performance : Date).now();
}
