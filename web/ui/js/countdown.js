// Live countdowns: every element with class "countdown" and a
// data-deadline (virtual ns) shows the time left, and gets the class
// "overdue" (deadline passed) or "soon" (under 5 virtual minutes left).
// Elements with data-done are left alone.
import { fmtCountdown, MIN } from './format.js';
import { h } from './dom.js';

/** countdown returns a countdown element for deadline (ns). */
export function countdown(deadline, clock) {
  const el = h('span', { class: 'countdown', dataset: { deadline } });
  if (clock) paint(el, clock.now());
  return el;
}

function paint(el, now) {
  if (el.dataset.done !== undefined) return;
  const left = Number(el.dataset.deadline) - now;
  const text = left >= 0 ? `${fmtCountdown(left)} left` : `overdue ${fmtCountdown(-left)}`;
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle('overdue', left < 0);
  el.classList.toggle('soon', left >= 0 && left < 5 * MIN);
}

/** startCountdowns repaints every countdown in root on each clock tick. */
export function startCountdowns(clock, root = document) {
  return clock.onTick((now) => {
    for (const el of root.querySelectorAll('.countdown[data-deadline]')) paint(el, now);
  });
}
