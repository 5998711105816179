// Tests of pending() (js/page.js) over the DOM stand-in: a button named by
// aria-label keeps what it shows in its accessible name while it sends and
// says it is done (WCAG 2.5.3, label in name). Run with
// `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeDOM } from './fakedom.mjs';

test('a button named by aria-label says what it shows while it sends and when done, then its name again', async () => {
  installFakeDOM();
  const { pending, relabel } = await import('../js/page.js');
  const btn = document.createElement('button');
  btn.textContent = 'Release';
  btn.setAttribute('aria-label', 'Release I01 now');
  let answer;
  const sent = pending(btn, () => new Promise((resolve) => { answer = resolve; }));
  const shown = () => btn.textContent;
  assert.ok(btn.getAttribute('aria-label').includes(shown()), `sending: name ${btn.getAttribute('aria-label')} lacks ${shown()}`);
  assert.match(btn.getAttribute('aria-label'), /Release I01 now$/);
  answer({ seq: 1 });
  await sent;
  assert.equal(btn.dataset.state, 'done');
  assert.ok(btn.getAttribute('aria-label').includes(shown()), `done: name ${btn.getAttribute('aria-label')} lacks ${shown()}`);
  // Sent again while it still says done: the name does not pile up.
  const again = pending(btn, async () => ({ seq: 2 }));
  await again;
  assert.equal(btn.getAttribute('aria-label').split('Release I01 now').length, 2, btn.getAttribute('aria-label'));
  // The page renames the button while it says done: the new name stays.
  btn.setAttribute('aria-label', 'Skip I01');
  relabel(btn, 'Skip');
  await new Promise((resolve) => { setTimeout(resolve, 1900); });
  assert.equal(btn.textContent, 'Skip');
  assert.equal(btn.getAttribute('aria-label'), 'Skip I01');
});

test('a button named by its text is left without aria-label', async () => {
  installFakeDOM();
  const { pending } = await import('../js/page.js');
  const btn = document.createElement('button');
  btn.textContent = 'Send';
  await pending(btn, async () => ({ seq: 1 }));
  assert.equal(btn.hasAttribute('aria-label'), false);
});
