import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batched } from '../js/dom.js';

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
