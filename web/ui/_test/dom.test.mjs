import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batched, PointerUse, SETTLE_MS } from '../js/dom.js';
import { installFakeDOM } from './fakedom.mjs';

/** until polls cond every few ms and fails after a generous while. */
async function until(what, cond) {
  const deadline = Date.now() + 10000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

test('batched runs at once when idle, then once for all the asks of an interval', async () => {
  const ms = 40;
  const runs = [];
  const ask = batched(() => runs.push(Date.now()), ms);
  ask();
  assert.equal(runs.length, 1, 'an idle ask runs at once');
  ask();
  ask();
  ask();
  assert.equal(runs.length, 1, 'asks within the interval wait');
  await until('the run for the waiting asks', () => runs.length === 2);
  await until('an idle interval', () => Date.now() - runs[1] >= ms);
  assert.equal(runs.length, 2, 'three asks in one interval ran once');
  ask();
  assert.equal(runs.length, 3, 'an ask after an idle interval runs at once');
});

/**
 * watched makes a list with a PointerUse (opts), on mocked timers; freed
 * lists the times at which its onChange found the list free.
 */
function watched(t, opts) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1000 });
  installFakeDOM();
  const list = document.createElement('ul');
  const freed = [];
  const use = new PointerUse(list, () => { if (!use.inUse()) freed.push(Date.now()); }, opts);
  return { list, use, freed };
}

test('PointerUse: the pointer over a list uses it; leaving frees it at once', (t) => {
  const { list, use, freed } = watched(t);
  assert.equal(use.inUse(), false);
  list.fire('pointerenter');
  assert.equal(use.inUse(), true, 'over the list');
  list.fire('pointerleave');
  assert.equal(use.inUse(), false);
  assert.deepEqual(freed, [1000], 'leaving tells the list at once');
});

test('PointerUse: a tap holds the list past its lift and its pointerleave, until its click has landed', (t) => {
  const { list, use, freed } = watched(t);
  // A finger: enter and press together, lift, leave; the click comes after, as a later input event.
  list.fire('pointerenter');
  document.fire('pointerdown');
  document.fire('pointerup');
  list.fire('pointerleave');
  assert.equal(use.inUse(), true, 'free before the click');
  t.mock.timers.tick(SETTLE_MS - 1);
  assert.equal(use.inUse(), true, 'still settling');
  assert.deepEqual(freed, [], 'the list was told it is free before the click');
  t.mock.timers.tick(10);
  assert.equal(use.inUse(), false);
  assert.deepEqual(freed, [1000 + SETTLE_MS + 9], 'told once the click had had its time');
});

test('PointerUse: a press anywhere on the page holds the list, which is told after it', (t) => {
  const { use, freed } = watched(t);
  document.fire('pointerdown');
  assert.equal(use.inUse(), true, 'a press below the list: the list must not change height under it');
  assert.equal(use.pressing(), true);
  t.mock.timers.tick(60000);
  assert.equal(use.inUse(), true, 'a long press still holds');
  document.fire('pointercancel');
  t.mock.timers.tick(SETTLE_MS + 10);
  assert.equal(use.pressing(), false);
  assert.equal(freed.length, 1);
});

test('PointerUse: the end of a press is told even while the pointer stays over the list', (t) => {
  const calls = [];
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1000 });
  installFakeDOM();
  const list = document.createElement('ul');
  const use = new PointerUse(list, () => calls.push([use.over, use.pressing()]));
  list.fire('pointerenter');
  document.fire('pointerdown');
  document.fire('pointerup');
  t.mock.timers.tick(SETTLE_MS + 10);
  // A list shows "held" only once the press is over (it would move what is pressed): it must hear of it.
  assert.deepEqual(calls, [[true, false]], 'the settle ended unheard');
});

test('PointerUse: linger holds the list a while after a press or a click in it', (t) => {
  const { list, use, freed } = watched(t, { linger: 4000 });
  list.fire('click');
  t.mock.timers.tick(3000);
  assert.equal(use.inUse(), true, 'free before linger ran out');
  assert.deepEqual(freed, []);
  t.mock.timers.tick(1010);
  assert.equal(use.inUse(), false);
  assert.equal(freed.length, 1);
});

test('PointerUse: without hover, the pointer resting over the list does not hold it', (t) => {
  const { list, use } = watched(t, { hover: false });
  list.fire('pointerenter');
  assert.equal(use.inUse(), false, 'a person watching the newest entries would hold them back');
  document.fire('pointerdown');
  assert.equal(use.inUse(), true, 'a press still holds');
});

test('PointerUse: with pressAnywhere false, only a press in the list holds it', (t) => {
  const { list, use } = watched(t, { hover: false, pressAnywhere: false });
  document.fire('pointerdown');
  assert.equal(use.inUse(), false, 'a press elsewhere held the list');
  document.fire('pointerup');
  assert.equal(use.pressing(), false, 'the release of a press elsewhere held the list');
  list.fire('pointerdown');
  assert.equal(use.inUse(), true, 'a press in the list');
  document.fire('pointerup'); // lifted outside the list: heard all the same
  t.mock.timers.tick(SETTLE_MS + 10);
  assert.equal(use.inUse(), false);
});

test('PointerUse: a press whose release the page never hears ends when the pointer moves with no button down', (t) => {
  const { use, freed } = watched(t);
  document.fire('pointerdown'); // on a <select>: Safari then sends no pointerup
  document.fire('pointermove', { buttons: 1 });
  assert.equal(use.pressing(), true, 'a drag is still a press');
  document.fire('pointermove', { buttons: 0 });
  t.mock.timers.tick(SETTLE_MS + 10);
  assert.equal(use.inUse(), false, 'the lists stayed held until the next click');
  assert.equal(freed.length, 1);
});
