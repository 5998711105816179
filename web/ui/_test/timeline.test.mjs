// Tests of js/timeline.js's memory of events (EventWindow): which events a
// timeline keeps and which of them the page draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventWindow } from '../js/timeline.js';

/** items makes items with the given seqs, in that order. */
const items = (...seqs) => seqs.map((seq) => ({ seq, kind: seq % 2 ? 'inject' : 'action' }));
const seqs = (list) => list.map((item) => item.seq);
const all = () => true;

test('a window keeps the newest events, newest first, at most max', () => {
  const w = new EventWindow(5, 2);
  assert.deepEqual(seqs(w.add(items(3, 2, 1))), [3, 2, 1]);
  assert.deepEqual(seqs(w.add(items(6, 5, 4))), [6, 5, 4]);
  assert.deepEqual(seqs(w.items), [6, 5, 4, 3, 2], 'the oldest event went');
  assert.deepEqual(seqs(w.add(items(1))), [], 'an event older than all kept is not kept when the window is full');
  assert.deepEqual(seqs(w.items), [6, 5, 4, 3, 2]);
});

test('a window merges a late event into its place and skips one it has', () => {
  const w = new EventWindow(10, 3);
  w.add(items(9, 7, 5));
  assert.deepEqual(seqs(w.add(items(10, 8, 7, 6))), [10, 8, 6], 'seq 7 was kept already');
  assert.deepEqual(seqs(w.items), [10, 9, 8, 7, 6, 5]);
  assert.deepEqual(seqs(w.add(items(4, 4))), [4], 'a repeated seq in one batch is kept once');
  assert.deepEqual(seqs(w.items), [10, 9, 8, 7, 6, 5, 4]);
});

test('the page draws the newest page that passes the filter, then a page more at a time', () => {
  const w = new EventWindow(100, 3);
  w.add(items(10, 9, 8, 7, 6, 5, 4, 3, 2, 1));
  assert.deepEqual(seqs(w.visible(all)), [10, 9, 8]);
  assert.equal(w.older(all), 7);
  const injects = (item) => item.kind === 'inject';
  assert.deepEqual(seqs(w.visible(injects)), [9, 7, 5]);
  assert.equal(w.older(injects), 2);
  w.more();
  assert.deepEqual(seqs(w.visible(injects)), [9, 7, 5, 3, 1]);
  assert.equal(w.older(injects), 0);
  assert.deepEqual(seqs(w.visible(all)), [10, 9, 8, 7, 6, 5]);
  w.reset();
  assert.deepEqual(seqs(w.visible(all)), [10, 9, 8], 'a new filter starts again at one page');
});

test('a page more never asks for more than the window keeps', () => {
  const w = new EventWindow(4, 3);
  w.add(items(6, 5, 4, 3, 2, 1));
  w.more();
  w.more();
  assert.equal(w.shown, 4);
  assert.deepEqual(seqs(w.visible(all)), [6, 5, 4, 3]);
  assert.equal(w.older(all), 0);
});
