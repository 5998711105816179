// Tests of js/timeline.js's memory of events (EventWindow): which events a
// timeline keeps and which of them the page draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventWindow } from '../js/timeline.js';
import { Directory } from '../js/model.js';
import { t } from '../js/i18n.js';
import { installFakeDOM } from './fakedom.mjs';
import { SETTLE_MS } from '../js/dom.js';

/** items makes items with the given seqs, in that order. */
const items = (...seqs) => seqs.map((seq) => ({ seq, kind: seq % 2 ? 'inject' : 'action' }));
const seqs = (list) => list.map((item) => item.seq);
const all = () => true;
/** range lists the seqs from `from` down to `to`. */
const range = (from, to) => Array.from({ length: from - to + 1 }, (_, i) => from - i);

/** TYPES are the event types of the random runs below. */
const TYPES = ['inject.delivered', 'team.action', 'expectation.met', 'evaluator.note', 'exercise.paused'];

/**
 * seeded returns a generator of numbers below n from a seed (the high
 * bits of a linear congruential one; its low bits repeat with short
 * periods); rnd.state() is the seed of what follows, for a failure to name.
 */
function seeded(state) {
  const rnd = (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor(state / 65536) % n;
  };
  rnd.state = () => state;
  return rnd;
}

/** scrollRandomly is a person's random step: scroll down to read, or back to the top. It returns the step's name. */
function scrollRandomly(rnd, list) {
  list.scrollTop = rnd(2) ? 0 : 100;
  list.fire('scroll');
  return `scroll ${list.scrollTop}`;
}

/** filterRandomly is a person's random step: change the team or the type filter of a mounted timeline. It returns the step's name. */
function filterRandomly(rnd, { teamFilter, typeFilter, tl }) {
  if (rnd(2)) teamFilter.value = ['', 'a', 'b'][rnd(3)];
  else typeFilter.value = ['', 'inject', 'action', 'met', 'note', 'control'][rnd(6)];
  tl.applyFilter();
  return `filter ${teamFilter.value}/${typeFilter.value}`;
}

/** mountTimeline puts a timeline with a team and a type filter in a new section of body; the test draws it (no timer). */
function mountTimeline(Timeline, body, opts) {
  const section = document.createElement('section');
  body.appendChild(section);
  const list = document.createElement('ol');
  section.appendChild(list);
  const teamFilter = document.createElement('select');
  const typeFilter = document.createElement('select');
  const dir = new Directory({ teams: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }] });
  const tl = new Timeline(list, { dir, teamFilter, typeFilter, ...opts });
  tl.drawSoon = () => {};
  return { section, list, teamFilter, typeFilter, tl };
}

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
  assert.equal(w.count(all, -Infinity, 8), 7, 'seven older than the drawn ones');
  const injects = (item) => item.kind === 'inject';
  assert.deepEqual(seqs(w.visible(injects)), [9, 7, 5]);
  assert.equal(w.count(injects, -Infinity, 5), 2);
  assert.equal(w.count(injects, 5, Infinity), 2, 'newer than 5: 9 and 7');
  w.more(w.shown);
  assert.deepEqual(seqs(w.visible(injects)), [9, 7, 5, 3, 1]);
  assert.equal(w.count(injects, -Infinity, 1), 0);
  assert.deepEqual(seqs(w.visible(all)), [10, 9, 8, 7, 6, 5]);
  w.reset();
  assert.deepEqual(seqs(w.visible(all)), [10, 9, 8], 'a new filter starts again at one page');
});

test('a page more never asks for more than the window keeps', () => {
  const w = new EventWindow(4, 3);
  w.add(items(6, 5, 4, 3, 2, 1));
  w.more(w.shown);
  w.more(w.shown);
  assert.equal(w.shown, 4);
  assert.deepEqual(seqs(w.visible(all)), [6, 5, 4, 3]);
});

test('a window knows when it has let events go', () => {
  const w = new EventWindow(3, 2);
  w.add(items(3, 2, 1));
  assert.equal(w.forgot, false, 'three events fit');
  w.add(items(3, 2));
  assert.equal(w.forgot, false, 'repeats are not new events');
  w.add(items(4));
  assert.equal(w.forgot, true, 'event 1 went');
  const big = new EventWindow(3, 2);
  big.add(items(5, 4, 3, 2));
  assert.equal(big.forgot, true, 'one batch larger than the window');
});

test('the next page is the newest items under a seq that pass the filter', () => {
  const w = new EventWindow(100, 3);
  w.add(items(10, 9, 8, 7, 6, 5, 4, 3, 2, 1));
  const injects = (item) => item.kind === 'inject';
  assert.deepEqual(seqs(w.newest(injects, 2, 7)), [5, 3]);
  assert.deepEqual(seqs(w.newest(all, 3, 2)), [1], 'fewer left than asked');
  assert.deepEqual(seqs(w.newest(all, 3, Infinity)), seqs(w.visible(all)));
});

test('the drawn timeline is always the newest page of kept events that pass the filters', async () => {
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const rnd = seeded(7);
  for (let run = 0; run < 400; run++) {
    const seed = rnd.state();
    const max = 3 + rnd(12);
    const page = 1 + rnd(4);
    const mounted = mountTimeline(Timeline, body, { max, page, empty: 'nothing yet', noneMatch: 'none of those', forgotten: (count) => `only the newest ${count}` });
    const { section, list, tl } = mounted;
    const sent = new Set();
    let newest = 0;
    const steps = [];
    for (let step = 0; step < 30; step++) {
      const r = rnd(10);
      if (r < 5) {
        // New events, sometimes late ones or repeats.
        for (let k = 1 + rnd(4); k > 0; k--) {
          const seq = rnd(4) ? ++newest : Math.max(1, newest - rnd(20));
          const team = ['', 'a', 'b'][rnd(3)];
          tl.add({ event: { seq, type: TYPES[rnd(TYPES.length)], team, at: seq * 1e9 } });
          sent.add(seq);
          steps.push(`add ${seq}`);
        }
      } else if (r < 7) {
        tl.draw();
        steps.push('draw');
      } else if (r < 8) {
        if (!tl.olderButton.hidden) tl.olderButton.click();
        steps.push('older');
      } else if (r < 9) {
        steps.push(scrollRandomly(rnd, list));
      } else {
        steps.push(filterRandomly(rnd, mounted));
      }
      if (tl.waiting.length) continue; // the page is as drawn only after a draw
      const why = `seed ${seed}, max ${max}, page ${page}, after ${steps.join(', ')}`;
      const kept = [...sent].sort((x, y) => y - x).slice(0, max);
      assert.deepEqual(tl.window.items.map((i) => i.seq), kept, `the window keeps the newest ${max}; ${why}`);
      const pass = tl.filter();
      const passing = tl.window.items.filter(pass).map((i) => i.seq);
      const drawn = list.children.filter((li) => li.dataset.seq).map((li) => Number(li.dataset.seq));
      assert.equal(tl.emptyEl.isConnected, drawn.length === 0, `the empty line; ${why}`);
      if (!drawn.length) assert.equal(tl.emptyEl.textContent, kept.length ? 'none of those' : 'nothing yet', `the empty line's text; ${why}`);
      assert.equal(tl.olderButton.hidden, !passing.some((seq) => seq < Math.min(...drawn)), `the older button; ${why}`);
      // Past the oldest kept event, a line says the earlier ones are not here.
      assert.equal(tl.forgottenEl.hidden, !(sent.size > max && tl.olderButton.hidden), `the line about forgotten events; ${why}`);
      if (tl.held) {
        // Scrolled down: the list holds still, and says how many newer events wait.
        assert.equal(list.scrollTop, 100, `held only while reading; ${why}`);
        assert.deepEqual(drawn, [...new Set(drawn)].sort((x, y) => y - x), `held entries newest first, each once; ${why}`);
        const newer = passing.filter((seq) => seq > Math.max(...drawn)).length;
        assert.equal(tl.newerButton.hidden, newer === 0, `the newer button; ${why}`);
        if (newer) assert.equal(tl.newerButton.textContent, t('ui.timeline.newer', { count: newer }), `the newer button's count; ${why}`);
      } else {
        assert.deepEqual(drawn, tl.window.visible(pass).map((i) => i.seq), `drawn entries; ${why}`);
        assert.ok(tl.newerButton.hidden, `no newer button at the top; ${why}`);
      }
    }
    section.remove();
  }
});

test('the timeline holds still while the person reads below the newest entries', async () => {
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const list = document.createElement('ol');
  body.appendChild(list);
  const tl = new Timeline(list, { dir: new Directory({}), max: 100, page: 5 });
  tl.drawSoon = () => {};
  const add = (from, to) => {
    for (let seq = from; seq <= to; seq++) tl.add({ event: { seq, type: 'team.action', at: 0 } });
    tl.draw();
  };
  const drawn = () => list.children.filter((li) => li.dataset.seq).map((li) => Number(li.dataset.seq));
  add(1, 12);
  assert.deepEqual(drawn(), [12, 11, 10, 9, 8]);
  tl.olderButton.click();
  assert.deepEqual(drawn(), [12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
  list.scrollTop = 300; // reading the older entries
  add(13, 15);
  assert.deepEqual(drawn(), [12, 11, 10, 9, 8, 7, 6, 5, 4, 3], 'nothing moves while reading');
  assert.equal(tl.newerButton.hidden, false);
  assert.equal(tl.newerButton.textContent, t('ui.timeline.newer', { count: 3 }));
  tl.olderButton.click();
  assert.deepEqual(drawn().slice(-2), [2, 1], 'older entries still come on demand');
  tl.newerButton.click();
  assert.equal(list.scrollTop, 0);
  assert.deepEqual(drawn().slice(0, 3), [15, 14, 13], 'back at the newest');
  assert.equal(drawn().length, 15, 'with the pages asked for');
  assert.equal(tl.newerButton.hidden, true);
  assert.equal(document.activeElement, list, 'the keyboard goes to the list, not to a hidden button');
  add(16, 16);
  assert.equal(drawn()[0], 16, 'at the top the list follows the events again');
});

test('paging far back, the timeline lets its newest drawn entries go and keeps the reader in place', async () => {
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const list = document.createElement('ol');
  body.appendChild(list);
  const tl = new Timeline(list, { dir: new Directory({}), max: 100, page: 5, drawnAtMost: 10 });
  tl.drawSoon = () => {};
  for (let seq = 1; seq <= 30; seq++) tl.add({ event: { seq, type: 'team.action', at: 0 } });
  tl.draw();
  const drawn = () => list.children.filter((li) => li.dataset.seq).map((li) => Number(li.dataset.seq));
  tl.olderButton.click();
  assert.deepEqual(drawn(), range(30, 21));
  list.scrollTop = 140; // reading seq 23, the eighth row
  const reading = list.children[7];
  await tl.showOlder();
  assert.deepEqual(drawn(), range(25, 16), 'the five newest drawn went');
  assert.equal(reading.getBoundingClientRect().top, 0, 'the entry read stays where it was');
  assert.equal(list.scrollTop, 40);
  assert.equal(tl.newerButton.hidden, false);
  assert.equal(tl.newerButton.textContent, t('ui.timeline.newer', { count: 5 }));
  // Scrolled to the top of what is drawn, the list still holds: the newest come back on demand only.
  list.scrollTop = 0;
  list.fire('scroll');
  tl.add({ event: { seq: 31, type: 'team.action', at: 0 } });
  tl.draw();
  assert.deepEqual(drawn(), range(25, 16));
  assert.equal(tl.newerButton.textContent, t('ui.timeline.newer', { count: 6 }));
  tl.newerButton.click();
  assert.deepEqual(drawn(), range(31, 27), 'back at the newest page');
  assert.equal(tl.newerButton.hidden, true);
  tl.add({ event: { seq: 32, type: 'team.action', at: 0 } });
  tl.draw();
  assert.deepEqual(drawn(), range(32, 28), 'and following the events again');
  // The keyboard on an entry that goes stays in the list.
  tl.olderButton.click();
  list.children[0].focus();
  await tl.showOlder();
  assert.deepEqual(drawn(), range(27, 18));
  assert.equal(document.activeElement, list, 'the keyboard was on an entry that went');
});

test('going back to the newest while older events load, the list stays at the newest', async () => {
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const list = document.createElement('ol');
  body.appendChild(list);
  let answer;
  const loadOlder = (before) => new Promise((resolve) => {
    answer = () => resolve({ events: range(before - 1, Math.max(1, before - 10)).map((seq) => ({ type: 'event', seq, event: { seq, type: 'team.action', at: 0 } })), next: Math.max(0, before - 11) });
  });
  const tl = new Timeline(list, { dir: new Directory({}), max: 10, page: 5, drawnAtMost: 5, loadOlder });
  tl.drawSoon = () => {};
  for (let seq = 1; seq <= 30; seq++) tl.add({ event: { seq, type: 'team.action', at: 0 } });
  tl.draw();
  const drawn = () => list.children.filter((li) => li.dataset.seq).map((li) => Number(li.dataset.seq));
  tl.olderButton.click();
  assert.deepEqual(drawn(), range(25, 21), 'the newest five went for the page below');
  assert.ok(tl.shifted);
  const loading = tl.showOlder(); // nothing older kept: it asks the server
  assert.equal(tl.loading, true);
  tl.newerButton.click();
  assert.deepEqual(drawn(), range(30, 26));
  answer();
  await loading;
  assert.deepEqual(drawn(), range(30, 26), 'the load did not take the reader away from the newest');
  assert.ok(!tl.shifted && !tl.held);
  assert.equal(tl.olderButton.hidden, false, 'the loaded events are a click away');

  // Again, down to where nothing older is kept, and this time the person
  // reads below the newest when the load ends.
  while (tl.window.count(tl.filter(), -Infinity, tl.bottomSeq()) > 0) await tl.showOlder();
  assert.ok(tl.shifted);
  const again = tl.showOlder();
  assert.equal(tl.loading, true);
  tl.newerButton.click();
  list.scrollTop = 60;
  list.children[2].focus();
  for (const seq of [31, 32]) tl.add({ event: { seq, type: 'team.action', at: 0 } });
  tl.draw();
  assert.deepEqual(drawn(), range(30, 26));
  answer();
  await again;
  assert.deepEqual(drawn(), range(30, 26), 'nothing moved under the reader');
  assert.equal(document.activeElement, list.children[2], 'the keyboard is where it was');
  assert.equal(tl.newerButton.textContent, t('ui.timeline.newer', { count: 2 }));
});

test('one click stops asking for older events after a while', async (t2) => {
  t2.mock.timers.enable({ apis: ['Date'], now: 0 });
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const list = document.createElement('ol');
  body.appendChild(list);
  const typeFilter = document.createElement('select');
  let requests = 0;
  // Each answer comes 15 s late and holds nothing the filter passes.
  const loadOlder = async (before) => {
    requests++;
    t2.mock.timers.setTime(Date.now() + 15000);
    return { events: [{ type: 'event', seq: before - 1, event: { seq: before - 1, type: 'team.action', at: 0 } }], next: before - 1 };
  };
  const tl = new Timeline(list, { dir: new Directory({}), typeFilter, max: 5, page: 5, loadOlder });
  tl.drawSoon = () => {};
  for (let seq = 1; seq <= 1000; seq++) tl.add({ event: { seq, type: 'team.action', at: 0 } });
  tl.draw();
  typeFilter.value = 'note';
  tl.applyFilter();
  await tl.showOlder();
  assert.equal(requests, 2, 'two answers of 15 s each, then the click is over');
  assert.equal(tl.loading, false);
});

test('past the events it keeps, the timeline loads older ones from the server, without a gap', async () => {
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const rnd = seeded(11);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  for (let run = 0; run < 300; run++) {
    const seed = rnd.state();
    const max = 3 + rnd(10);
    const page = 1 + rnd(4);
    const loadedAtMost = rnd(3) ? 5 + rnd(30) : 1000;
    // The most entries drawn: often fewer than the window keeps.
    const drawnAtMost = rnd(3) ? page + rnd(3 * max) : 5000;
    // The server: the events this console may see (some seqs are other
    // teams'), answering as GET …/events does, looking at `scan` seqs a
    // request, each answer when the test says.
    const scan = 1 + rnd(6);
    const log = new Set();
    const event = (seq) => ({ seq, type: TYPES[seq % TYPES.length], team: ['', 'a', 'b'][seq % 3], at: seq * 1e9 });
    const answer = (before, limit) => {
      const events = [];
      let seq = before;
      for (let looked = 0; seq > 1 && events.length < limit && looked < scan; looked++) {
        seq--;
        if (log.has(seq)) events.push({ type: 'event', seq, event: event(seq) });
      }
      return { events, next: seq <= 1 ? 0 : seq };
    };
    let failing = false;
    const requests = [];
    const inflight = [];
    const loadOlder = (before, limit) => {
      requests.push(before);
      return new Promise((resolve, reject) => inflight.push({ before, limit, resolve, reject }));
    };
    const announced = [];
    let rejected = 0;
    const respond = async () => {
      const r = inflight.shift();
      if (r && failing) rejected++;
      if (r && failing) r.reject(new Error('the network is down'));
      else if (r) r.resolve(answer(r.before, r.limit));
      await settle();
    };
    const mounted = mountTimeline(Timeline, body, { max, page, loadedAtMost, drawnAtMost, loadOlder, announce: (text) => announced.push(text), forgotten: (count) => `only the newest ${count}` });
    const { section, list, tl } = mounted;
    let newest = 0;
    let keptOldest = Infinity;
    let wasGrowing = false;
    let trimmed = false;
    let everTrimmed = false;
    const clicks = [];
    const steps = [];
    const check = () => {
      const why = `seed ${seed}, max ${max}, page ${page}, loaded at most ${loadedAtMost}, drawn at most ${drawnAtMost}, scan ${scan}, after ${steps.join(', ')}`;
      const w = tl.window;
      const visible = [...log].sort((x, y) => y - x);
      assert.ok(w.max >= max && w.max <= max + loadedAtMost, `the window's size ${w.max}; ${why}`);
      // The newest events, no gap; as many as the window holds, unless a
      // background tab's trim let some go (it refills with new ones).
      assert.deepEqual(w.items.map((i) => i.seq), visible.slice(0, w.items.length), `the window keeps the newest, no gap; ${why}`);
      if (!everTrimmed) assert.equal(w.items.length, Math.min(w.max, visible.length), `the window is full; ${why}`);
      // A window whose loaded pages happen to reach the first event does
      // not know it until the server says so (next 0), and a full one may
      // not ask.
      const unconfirmed = (w.next !== undefined && w.next !== 0) || w.max === max + loadedAtMost;
      const forgot = visible.length > w.items.length || (w.forgot && unconfirmed);
      assert.equal(w.forgot, forgot, `forgot; ${why}`);
      // A window that let events go is full: it holds as many as its size
      // says (the line under the list gives that number), or it may take
      // more and must then be able to load them.
      if (w.forgot && !tl.waiting.length) assert.equal(w.items.length, w.max, `the window holds ${w.items.length} of its ${w.max}; ${why}`);
      // Once older pages are asked for, nothing goes until the window is full.
      const oldest = w.items.length ? w.items[w.items.length - 1].seq : Infinity;
      if (wasGrowing && !trimmed && w.max < max + loadedAtMost) assert.ok(oldest <= keptOldest, `the window let ${keptOldest} go before it was full; ${why}`);
      keptOldest = oldest;
      wasGrowing = w.growing;
      trimmed = false;
      const pass = tl.filter();
      const passing = w.items.filter(pass).map((i) => i.seq);
      const drawn = list.children.filter((li) => li.dataset.seq).map((li) => Number(li.dataset.seq));
      const olderKept = passing.some((seq) => seq < Math.min(...drawn));
      const loadable = !olderKept && forgot && w.max < max + loadedAtMost;
      assert.equal(tl.olderButton.hidden, !olderKept && !loadable, `the older button; ${why}`);
      assert.equal(tl.olderButton.getAttribute('aria-disabled') ?? 'false', String(tl.loading), `the older button's state; ${why}`);
      if (tl.loading) assert.equal(tl.olderButton.textContent, t('ui.timeline.loading_older'), `the button while loading; ${why}`);
      else if (loadable) assert.equal(tl.olderButton.textContent, t(tl.loadFailed ? 'ui.timeline.load_failed' : 'ui.timeline.load_older'), `the load button's text; ${why}`);
      assert.equal(tl.forgottenEl.hidden, !(forgot && tl.olderButton.hidden), `the line about forgotten events; ${why}`);
      if (!tl.forgottenEl.hidden) assert.equal(tl.forgottenEl.textContent, `only the newest ${w.max}`, `its count; ${why}`);
      // Loaded pages are drawn when the load ends.
      if (!tl.held && !tl.loading) assert.deepEqual(drawn, w.visible(pass).map((i) => i.seq), `drawn entries; ${why}`);
      else assert.deepEqual(drawn, [...new Set(drawn)].sort((x, y) => y - x), `entries newest first, each once; ${why}`);
      // Never more than drawnAtMost, and no gap among the kept events that
      // pass (a background tab's trim may leave the oldest drawn entries of
      // a list held still after the events they show).
      assert.ok(drawn.length <= drawnAtMost, `${drawn.length} entries drawn, more than ${drawnAtMost}; ${why}`);
      const drawnKept = drawn.filter((seq) => seq >= oldest);
      const at = passing.indexOf(drawnKept[0]);
      if (drawnKept.length) assert.deepEqual(drawnKept, passing.slice(at, at + drawnKept.length), `the drawn entries are a run of the kept ones; ${why}`);
      // Once the newest drawn went, the list holds still and the newer button counts what is above.
      if (tl.shifted) assert.ok(tl.held, `shifted but not held; ${why}`);
      const above = drawn.length ? passing.filter((seq) => seq > drawn[0]).length : passing.length;
      if (tl.held && !tl.loading) assert.equal(tl.newerButton.hidden, above === 0, `the newer button; ${why}`);
      if (tl.held && !tl.loading && above) assert.equal(tl.newerButton.textContent, t('ui.timeline.newer', { count: above }), `the newer button's count; ${why}`);
      return why;
    };
    for (let step = 0; step < 50; step++) {
      const r = rnd(14);
      if (r < 5) {
        for (let k = 1 + rnd(4); k > 0; k--) {
          newest += 1 + rnd(2); // a skipped seq is another team's
          log.add(newest);
          const waiting = tl.waiting.length;
          tl.add({ event: event(newest) });
          // A page that draws seldom keeps only the newest waiting events.
          if (tl.waiting.length <= waiting) trimmed = everTrimmed = true;
          steps.push(`add ${newest}`);
        }
      } else if (r < 7) {
        tl.draw();
        steps.push('draw');
      } else if (r < 9) {
        if (!tl.olderButton.hidden) clicks.push(tl.showOlder());
        steps.push('older');
      } else if (r < 11) {
        failing = rnd(5) === 0;
        await respond();
        steps.push(failing ? 'answer (failing)' : 'answer');
      } else if (r < 12) {
        steps.push(scrollRandomly(rnd, list));
      } else {
        steps.push(filterRandomly(rnd, mounted));
      }
      if (!tl.waiting.length) check();
    }
    // At the top, the server answering: clicking on reaches the first
    // event, or the most the window may keep.
    failing = false;
    list.scrollTop = 0;
    tl.draw();
    for (let n = 0; n < 500 && (inflight.length || tl.loading || !tl.olderButton.hidden); n++) {
      if (!tl.loading && !tl.olderButton.hidden) clicks.push(tl.showOlder());
      await respond();
      steps.push('older, answered');
    }
    await Promise.all(clicks);
    const why = check();
    assert.ok(tl.olderButton.hidden, `the older button still shows after 500 clicks; ${why}`);
    if (!tl.window.forgot) assert.equal(tl.window.items[tl.window.items.length - 1].seq, Math.min(...log), `down to the first event; ${why}`);
    else assert.equal(tl.window.max, max + loadedAtMost, `the window stopped before it was full; ${why}`);
    assert.ok(requests.every((before) => before > 0), `every request asks below a seq; ${why}`);
    // Each failed load is announced, since the button's new text may not be read out.
    assert.deepEqual(announced, Array(rejected).fill(t('ui.timeline.load_failed')), `what was announced; ${why}`);
    // Back at the newest: the newest page again, following new events.
    if (!tl.newerButton.hidden) tl.newerButton.click();
    assert.ok(!tl.held && !tl.shifted, `the list still holds after going back to the newest; ${why}`);
    newest += 1;
    log.add(newest);
    tl.add({ event: event(newest) });
    tl.draw();
    check();
    section.remove();
  }
});

test('after a background tab let loaded pages go, the timeline loads older events again', async () => {
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const list = document.createElement('ol');
  body.appendChild(list);
  const ev = (seq) => ({ seq, type: 'team.action', at: 0 });
  const loadOlder = async (before, limit) => {
    const events = [];
    for (let seq = before - 1; seq >= 1 && events.length < limit; seq--) events.push({ type: 'event', seq, event: ev(seq) });
    return { events, next: Math.max(0, before - 1 - limit) };
  };
  // The window keeps 3 events, and up to 5 more loaded from the server.
  const tl = new Timeline(list, { dir: new Directory({}), max: 3, page: 2, loadedAtMost: 5, loadOlder, forgotten: (n) => `only the newest ${n}` });
  tl.drawSoon = () => {};
  const drawn = () => list.children.filter((li) => li.dataset.seq).map((li) => Number(li.dataset.seq));
  for (let seq = 1; seq <= 20; seq++) tl.add({ event: ev(seq) });
  tl.draw();
  await tl.showOlder();
  await tl.showOlder(); // loads 17 to 13: the window is at its limit
  assert.equal(tl.window.max, 8);
  // In a background tab, twice as many events as the window keeps wait
  // undrawn: the newest 3 stay, the rest of the window goes.
  for (let seq = 21; seq <= 26; seq++) tl.add({ event: ev(seq) });
  tl.draw();
  assert.deepEqual(seqs(tl.window.items), [26, 25, 24]);
  assert.equal(tl.window.max, 3, 'the room the loaded pages took is free again');
  await tl.showOlder();
  assert.equal(tl.olderButton.hidden, false, 'events 23 down to 1 are on the server: the button offers them');
  assert.equal(tl.forgottenEl.hidden, true, 'no line says events are not here');
  for (let n = 0; n < 5 && !drawn().includes(23); n++) await tl.showOlder();
  const got = drawn();
  assert.ok(got.includes(23), `event 23 is reached; drawn ${got}`);
  assert.deepEqual(got, range(26, got[got.length - 1]), 'no gap');
});

test('a full text the person opened stays open when the list is drawn anew', async () => {
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const { list, tl, typeFilter } = mountTimeline(Timeline, body, { max: 100, page: 10 });
  const report = (seq) => ({ event: { seq, type: 'team.action', team: 'a', at: seq * 1e9, data: { action: 'report', text: 'x'.repeat(400) } } });
  tl.add(report(1));
  tl.add(report(2));
  tl.draw();
  const parts = (seq) => {
    const li = list.children.find((e) => e.dataset.seq === String(seq));
    const [more, detail] = li.children.filter((e) => e.tagName === 'BUTTON' || e.tagName === 'P');
    return { more, detail };
  };
  assert.equal(parts(1).detail.hidden, true);
  parts(1).more.click();
  assert.equal(parts(1).detail.hidden, false);
  typeFilter.value = '';
  tl.applyFilter(); // the list drawn anew from memory
  assert.equal(parts(1).detail.hidden, false, 'the opened text closed when the list was drawn again');
  assert.equal(parts(1).more.getAttribute('aria-expanded'), 'true');
  assert.equal(parts(2).detail.hidden, true);
  parts(1).more.click();
  tl.applyFilter();
  assert.equal(parts(1).detail.hidden, true, 'closed again, it stays closed');
});

test('a press on the list holds it until just after the release; a press elsewhere does not', async () => {
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const { list, tl } = mountTimeline(Timeline, body, { max: 100, page: 10 });
  const add = (seq) => { tl.add({ event: { seq, type: 'team.action', at: 0 } }); tl.draw(); };
  const drawn = () => list.children.filter((li) => li.dataset.seq).map((li) => Number(li.dataset.seq));
  add(1);
  document.fire('pointerdown'); // elsewhere on the page: the entry a click on Send makes is drawn at once
  document.fire('pointerup');
  add(2);
  assert.deepEqual(drawn(), [2, 1], 'a press elsewhere held the list');
  list.fire('pointerdown');
  add(3);
  assert.deepEqual(drawn(), [2, 1], 'an entry was drawn above the pressed one');
  assert.equal(tl.newerButton.hidden, true, 'the newer button, above the list, moved it during the press');
  document.fire('pointerup');
  await new Promise((done) => setTimeout(done));
  assert.deepEqual(drawn(), [2, 1], 'drawn before the click of a tap, which comes after the lift');
  await new Promise((done) => setTimeout(done, SETTLE_MS + 10));
  assert.deepEqual(drawn(), [3, 2, 1], 'after the release the list follows the events again');
});

test('the newer button goes once a press that kept it is over', async () => {
  const body = installFakeDOM();
  const { Timeline } = await import('../js/timeline.js');
  const { list, tl } = mountTimeline(Timeline, body, { max: 100, page: 5 });
  const add = (from, to) => {
    for (let seq = from; seq <= to; seq++) tl.add({ event: { seq, type: 'team.action', at: 0 } });
    tl.draw();
  };
  add(1, 12);
  list.scrollTop = 300; // reading below the newest
  add(13, 14);
  assert.equal(tl.newerButton.hidden, false);
  // A tap on an entry ("Show full"), then, within the settle, a tap on the newer button.
  list.fire('pointerdown');
  document.fire('pointerup');
  tl.newerButton.click();
  assert.equal(list.scrollTop, 0);
  await new Promise((done) => setTimeout(done, SETTLE_MS + 10));
  assert.equal(tl.newerButton.hidden, true, 'the newer button stayed above the newest entries');
});
