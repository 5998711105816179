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
