// Tests of showError (js/page.js) over the DOM stand-in: a message someone
// is reading stays past its time and past the limit of messages shown.
// Run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeDOM, tick } from './fakedom.mjs';

test('a message with the keyboard or the pointer on it outlives its time and newer messages', async () => {
  const body = installFakeDOM();
  const { showError } = await import('../js/page.js');
  const box = document.createElement('div');
  box.setAttribute('id', 'errors');
  body.appendChild(box);
  const first = showError('first', { timeout: 5 });
  first.children.find((c) => c.tagName === 'BUTTON').focus(); // the keyboard on its close button
  const second = showError('second', { timeout: 5 });
  second.hovered = true;
  for (const text of ['third', 'fourth', 'fifth']) showError(text, { timeout: 0 });
  assert.ok(first.isConnected, 'a newer message pushed out the one the keyboard is on');
  assert.ok(second.isConnected, 'a newer message pushed out the one under the pointer');
  assert.deepEqual(box.children.map((c) => c.textContent.replace('×', '')), ['first', 'second', 'fifth']);
  await tick(20);
  assert.ok(first.isConnected && second.isConnected, 'messages in use went at their time');
  document.activeElement = body;
  second.hovered = false;
  await tick(2100);
  assert.equal(first.isConnected || second.isConnected, false, 'left, the messages stayed');
});
