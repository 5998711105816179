// Scheduled start: every console shows, while the exercise waits for a
// start the facilitator scheduled, when it starts in the viewer's own time
// and in the scenario's (a trainee's: the team's time zone), and a
// countdown; the facilitator's console can set, move or cancel it.
import { $, h } from './dom.js';
import { t, i18n } from './i18n.js';
import { fmtInZone, fmtAtOffset, offsetMinutes } from './scenclock.js';
import { fmtUntil, toLocalInput, fromLocalInput } from './libraryfilter.js';
import { showError, errorMessage, announce } from './page.js';

const PARTS = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' };

/** mountSchedule shows the scheduled start in ctx's console; canSchedule adds the facilitator's form. */
export function mountSchedule(ctx, { canSchedule = false } = {}) {
  const { socket, exercise, you, dir } = ctx;
  const banner = h('p', { id: 'schedule-banner', class: 'banner banner-schedule', hidden: true },
    h('span', { class: 'schedule-when', role: 'status' }), ' ', h('span', { class: 'schedule-left', dataset: { countdown: '' } }));
  const after = $('#announce') || $('#errors');
  if (after) after.after(banner); else document.body.prepend(banner);
  const team = you.team && dir.teams.get(you.team);
  const zone = team && team.timezone;
  let start = null; // ms, while the exercise waits for a scheduled start
  let ready = true;

  const paintWhen = () => {
    if (!start) return;
    const d = new Date(start);
    const local = new Intl.DateTimeFormat(i18n.tag, PARTS).format(d);
    const scenario = zone ? fmtInZone(d, zone) : exercise.start_time ? fmtAtOffset(d, offsetMinutes(exercise.start_time)) : fmtAtOffset(d, 0);
    banner.querySelector('.schedule-when').textContent = t('schedule.banner', { local, scenario });
  };
  const tick = () => {
    if (!start) return;
    const { days, clock } = fmtUntil(start, Date.now());
    const text = days ? t('schedule.in_days', { days, time: clock }) : t('schedule.in', { time: clock });
    const el = banner.querySelector('.schedule-left');
    if (el.textContent !== text) el.textContent = text;
  };
  setInterval(tick, 1000);

  let form = null;
  if (canSchedule) form = scheduleForm(ctx);

  socket.on('status', (m) => {
    const st = m.status || {};
    ready = st.status === 'ready';
    const next = ready && st.scheduled_start ? Date.parse(st.scheduled_start) : null;
    if (next !== start) {
      start = Number.isNaN(next) ? null : next;
      paintWhen();
      tick();
    }
    banner.hidden = !start;
    if (form) form.update(ready, start);
  });
}

/** scheduleForm adds the facilitator's schedule control to the console's controls panel. */
function scheduleForm(ctx) {
  const { socket } = ctx;
  const input = h('input', { id: 'schedule-at', type: 'datetime-local', 'aria-describedby': 'schedule-hint' });
  const set = h('button', { id: 'schedule-set', type: 'submit', class: 'btn' }, t('schedule.set'));
  const cancel = h('button', { id: 'schedule-cancel', type: 'button', class: 'btn', hidden: true }, t('schedule.cancel'));
  const form = h('form', { id: 'schedule-form', class: 'schedule-form', novalidate: true },
    h('label', { for: 'schedule-at', class: 'field-label' }, t('schedule.label')),
    h('div', { class: 'btn-row' }, input, set, cancel),
    h('p', { id: 'schedule-hint', class: 'hint' }, t('schedule.hint')));
  const controls = $('.controls');
  if (controls) controls.append(form);
  // A time being typed is the facilitator's until they set or cancel it:
  // the status (every second) does not write the scheduled one over it,
  // even once the input has lost focus.
  let dirty = false;
  for (const type of ['input', 'change']) input.addEventListener(type, () => { dirty = true; });
  const send = async (cmd, done) => {
    set.disabled = cancel.disabled = true;
    try {
      await socket.command(cmd);
      dirty = false;
      announce(done);
    } catch (err) {
      showError(errorMessage(err));
    } finally {
      set.disabled = cancel.disabled = false;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const at = fromLocalInput(input.value);
    if (!at || Date.parse(at) <= Date.now()) {
      showError(t('schedule.need_time'));
      input.focus();
      return;
    }
    send({ type: 'schedule_start', start_at: at }, t('schedule.done'));
  });
  cancel.addEventListener('click', () => send({ type: 'schedule_start' }, t('schedule.cancelled')));
  // The scheduled start last shown: when another facilitator changes it,
  // the time being typed here gives way to theirs.
  let shown = null;
  return {
    update(ready, start) {
      form.hidden = !ready;
      cancel.hidden = !start;
      if ((start || null) !== shown) {
        shown = start || null;
        if (document.activeElement !== input) dirty = false;
      }
      if (start && !dirty && document.activeElement !== input) input.value = toLocalInput(new Date(start));
    },
  };
}
