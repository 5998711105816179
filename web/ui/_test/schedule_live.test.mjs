// Tests of the facilitator's scheduled-start form (js/schedule.js) under a
// fake DOM: the status that comes every second does not write the
// scheduled time over one the facilitator is typing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeDOM, tick } from './fakedom.mjs';
import { h } from '../js/dom.js';
import { mountSchedule } from '../js/schedule.js';
import { toLocalInput, fromLocalInput } from '../js/libraryfilter.js';

/** mount builds the schedule form in a fake facilitator console and returns its parts and the socket's traffic. */
function mount() {
  const body = installFakeDOM();
  const controls = h('section', { class: 'controls' });
  body.append(h('div', { id: 'announce' }), h('div', { id: 'errors' }), controls);
  const handlers = {};
  const sent = [];
  const socket = {
    on: (type, fn) => { handlers[type] = fn; },
    command: async (cmd) => { sent.push(cmd); return {}; },
  };
  const ctx = { socket, exercise: {}, you: { role: 'facilitator' }, dir: { teams: new Map() } };
  // The banner's countdown ticks every second: not in a test.
  const every = globalThis.setInterval;
  globalThis.setInterval = () => 0;
  try {
    mountSchedule(ctx, { canSchedule: true });
  } finally {
    globalThis.setInterval = every;
  }
  const form = controls.querySelector('#schedule-form');
  const status = (startAt) => handlers.status({ status: { status: 'ready', scheduled_start: startAt } });
  return { form, input: form.querySelector('#schedule-at'), status, sent };
}

/** inHours is a whole minute h hours from now, as the server writes times. */
function inHours(hours) {
  const d = new Date(Date.now() + hours * 3600e3);
  d.setSeconds(0, 0);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

test('a time typed into the schedule is not written over once the input loses focus', async () => {
  const { form, input, status, sent } = mount();
  const scheduled = inHours(2);
  status(scheduled);
  assert.equal(input.value, toLocalInput(new Date(scheduled)), 'the scheduled time is shown');

  // The facilitator types a new time, then clicks elsewhere before Set.
  input.focus();
  const typed = toLocalInput(new Date(inHours(5)));
  input.value = typed;
  input.fire('input');
  input.blur();
  status(scheduled);
  status(scheduled);
  assert.equal(input.value, typed, 'the next status left the typed time alone');

  form.fire('submit', { preventDefault() {} });
  await tick();
  assert.deepEqual(sent, [{ type: 'schedule_start', start_at: fromLocalInput(typed) }], 'Set sends the typed time, not the old one');

  // Set, the form follows the schedule again, whoever changes it.
  const moved = inHours(7);
  status(moved);
  assert.equal(input.value, toLocalInput(new Date(moved)), 'after Set the status is shown again');
});

test('an untouched schedule input follows the status', () => {
  const { input, status } = mount();
  const first = inHours(1);
  const second = inHours(3);
  status(first);
  status(second);
  assert.equal(input.value, toLocalInput(new Date(second)));
});

test('a time typed and left gives way when another facilitator changes the schedule', () => {
  const { input, status } = mount();
  const scheduled = inHours(2);
  status(scheduled);
  input.focus();
  input.value = toLocalInput(new Date(inHours(5)));
  input.fire('input');
  input.blur();
  const theirs = inHours(4);
  status(theirs);
  assert.equal(input.value, toLocalInput(new Date(theirs)), 'a colleague\'s new schedule was hidden by a time typed and abandoned here');
});
