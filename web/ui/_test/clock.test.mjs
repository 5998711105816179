import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../js/clock.js';

test('observe moves a clock that is behind forward and tells its listeners at once', () => {
  const clock = new VirtualClock();
  clock.update({ status: 'paused', now: 1e9, speed: 10 });
  const seen = [];
  const stop = clock.onTick((t) => seen.push(t));
  seen.length = 0;
  clock.observe(600e9); // a jump to T+10m
  assert.deepEqual(seen, [600e9]);
  assert.equal(clock.now(), 600e9);
  clock.observe(5e9); // an older event does not move it back
  assert.deepEqual(seen, [600e9]);
  assert.equal(clock.now(), 600e9);
  stop();
});

test('a running clock does not step back for a status held a moment, but follows a real change', () => {
  let wall = 1000; // ms
  const saved = globalThis.performance;
  Object.defineProperty(globalThis, 'performance', { value: { now: () => wall }, configurable: true });
  try {
    const clock = new VirtualClock();
    clock.update({ status: 'running', now: 0, speed: 10 });
    wall += 1000; // one wall second at 10×: ten virtual seconds
    assert.equal(clock.now(), 10e9);
    clock.update({ status: 'running', now: 7e9, speed: 10 }); // built 0.3 s ago
    assert.equal(clock.now(), 10e9, 'stepped back for a late routine status');
    clock.update({ status: 'running', now: 12e9, speed: 10 }); // ahead: follow
    assert.equal(clock.now(), 12e9);
    clock.update({ status: 'paused', now: 11e9, speed: 10 }); // a pause: take its time
    assert.equal(clock.now(), 11e9);
    clock.update({ status: 'running', now: 11e9, speed: 10 });
    clock.update({ status: 'running', now: 1e9, speed: 10 }); // ten seconds behind: a real change
    assert.equal(clock.now(), 1e9);
  } finally {
    Object.defineProperty(globalThis, 'performance', { value: saved, configurable: true });
  }
});
