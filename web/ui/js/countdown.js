// Live countdowns: every element with class "countdown" and a
// data-deadline (virtual ns) shows the time left, and gets the class
// "overdue" (deadline passed) or "soon" (under 5 virtual minutes left).
// Elements with data-done are left alone; once the exercise has ended,
// every countdown stops (class "stopped").
import { fmtCountdown, MIN } from './format.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/** countdown returns a countdown element for deadline (ns). */
export function countdown(deadline, clock) {
  const el = h('span', { class: 'countdown', dataset: { deadline } });
  if (clock) paint(el, clock.now(), clock.status);
  return el;
}

function paint(el, now, status) {
  if (el.dataset.done !== undefined) return;
  const left = Number(el.dataset.deadline) - now;
  // After the end nothing falls due any more: the countdown stops.
  const ended = status === 'ended';
  el.classList.toggle('stopped', ended);
  const text = ended ? t('ui.countdown.closed') : left >= 0 ? t('ui.countdown.left', { time: fmtCountdown(left) }) : t('ui.countdown.overdue', { time: fmtCountdown(-left) });
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle('overdue', !ended && left < 0);
  el.classList.toggle('soon', !ended && left >= 0 && left < 5 * MIN);
}

/** startCountdowns repaints every countdown in root on each clock tick. */
export function startCountdowns(clock, root = document) {
  return clock.onTick((now) => {
    for (const el of root.querySelectorAll('.countdown[data-deadline]')) paint(el, now, clock.status);
  });
}
