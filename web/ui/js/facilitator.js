// The facilitator's control panel.
import { $, h, option } from './dom.js';
import { api } from './api.js';
import { boot, pending, showError } from './page.js';
import { staffViews } from './staff.js';
import { MselPanel } from './msel.js';
import { Composer } from './composer.js';
import { confirmDialog } from './dialog.js';
import { fillCodes } from './codes.js';
import { fmtT, fmtTShort, fmtCountdown, actionLabel, NS } from './format.js';

const SPEEDS = [1, 2, 5, 10, 30, 60, 120];

/** SPEED_HORIZON is how far ahead (real time) a speed-up warns about deadlines. */
const SPEED_HORIZON = 10 * 60 * NS;

/** enabledControls says which controls make sense in an exercise status. */
export function enabledControls(s) {
  return {
    start: s === 'ready',
    pause: s === 'running',
    resume: s === 'paused',
    jump: s === 'running', // the server refuses a jump unless the exercise runs
    end: s === 'running' || s === 'paused',
  };
}

/**
 * humanOpen lists the open expectations of teams played by humans that fall
 * due by `until` (ns), leaving out those that events since the last status
 * closed (closed holds "team/inject/expectation").
 */
export function humanOpen(st, until, dir, closed = new Set()) {
  const out = [];
  for (const t of st.teams || []) {
    if (t.mode !== 'human') continue;
    for (const o of t.open || []) {
      if (o.deadline <= until && !closed.has(`${t.id}/${o.inject}/${o.expectation}`)) out.push({ team: t.id, name: t.name || dir.teamName(t.id), ...o });
    }
  }
  return out.sort((a, b) => a.deadline - b.deadline);
}

/** jumpTarget is where a jump would take the clock: the next scheduled inject, else the next deadline. */
export function jumpTarget(st) {
  if ((st.upcoming || []).length) return st.upcoming[0].at;
  let next = Infinity;
  for (const t of st.teams || []) for (const o of t.open || []) next = Math.min(next, o.deadline);
  return next;
}

async function main() {
  const ctx = await boot('facilitator', ['facilitator']);
  const { socket, dir } = ctx;

  const send = (btn, cmd, doneLabel) => pending(btn, () => socket.command(cmd), { socket, doneLabel });

  staffViews(ctx, {
    canWriteNotes: true,
    onToggleMode: (team, mode, btn) => send(btn, { type: 'set_mode', team, mode }, mode === 'human' ? 'Handed over' : 'Simulated'),
  });
  const msel = new MselPanel($('#msel'), ctx);
  new Composer($('#composer'), ctx);
  loadCodes(ctx);

  // Controls.
  const btn = {
    start: $('#btn-start'), pause: $('#btn-pause'), resume: $('#btn-resume'), jump: $('#btn-jump'), end: $('#btn-end'),
  };
  const speed = $('#speed');
  for (const s of SPEEDS) speed.appendChild(option(String(s), `${s}×`));

  let current = 'ready';
  let shownSpeed = 1;
  let codesShown = false;
  // Expectations met or missed since the last status (which lags events).
  const closed = new Set();
  socket.on('event', (m) => {
    const ev = m.event || {};
    if (ev.type === 'expectation.met' || ev.type === 'expectation.missed') closed.add(`${ev.team}/${(ev.data || {}).inject}/${(ev.data || {}).expectation}`);
  });
  const applyControls = () => {
    const enable = enabledControls(current);
    for (const [k, b] of Object.entries(btn)) {
      if (b.dataset.state !== 'pending') b.disabled = !enable[k];
    }
    speed.disabled = current === 'ended';
  };
  const control = (b, cmd, doneLabel) => send(b, cmd, doneLabel).finally(applyControls);
  const expiryLine = (o) => `${o.name}: ${o.inject} ${actionLabel(o.action)}, due ${fmtTShort(o.deadline)}`;

  btn.start.addEventListener('click', () => control(btn.start, { type: 'start' }, 'Started'));
  btn.pause.addEventListener('click', () => control(btn.pause, { type: 'pause' }, 'Paused'));
  btn.resume.addEventListener('click', () => control(btn.resume, { type: 'resume' }, 'Resumed'));
  btn.jump.addEventListener('click', async () => {
    const st = ctx.status || {};
    const to = jumpTarget(st);
    const expiring = Number.isFinite(to) ? humanOpen(st, to, dir, closed) : [];
    if (expiring.length) {
      const ans = await confirmDialog({
        title: `Jump to ${fmtT(to)}?`,
        message: `The clock moves on at once. ${expiring.length === 1 ? 'This item of a human team falls due' : `These ${expiring.length} items of human teams fall due`} on the way and will count as missed:`,
        items: expiring.map(expiryLine),
        okLabel: 'Jump anyway',
      });
      if (!ans.ok) return;
    }
    pending(btn.jump, () => socket.jump(), { socket, doneLabel: 'Jumped' }).finally(applyControls);
  });
  btn.end.addEventListener('click', async () => {
    const ans = await confirmDialog({
      title: 'End the exercise?',
      message: 'The clock stops for good and no more injects are delivered. Teams can no longer act; they see their results.',
      okLabel: 'End exercise',
      reason: true,
    });
    if (ans.ok) control(btn.end, ans.reason ? { type: 'end', text: ans.reason } : { type: 'end' }, 'Ended');
  });
  speed.addEventListener('change', async () => {
    const v = Number(speed.value);
    const st = ctx.status || {};
    if (v > shownSpeed && st.status === 'running') {
      // Deadlines that a speed-up brings within the next minutes of real time.
      const now = ctx.clock.now();
      const soon = humanOpen(st, now + SPEED_HORIZON * v, dir, closed).filter((o) => o.deadline > now + SPEED_HORIZON * shownSpeed);
      if (soon.length) {
        const ans = await confirmDialog({
          title: `Speed up to ${v}×?`,
          message: `Human teams get less real time to answer. At ${v}× these items fall due within the next ${SPEED_HORIZON / 60 / NS} minutes of real time:`,
          items: soon.map((o) => `${expiryLine(o)} (in ${fmtCountdown((o.deadline - now) / v)} real time, not ${fmtCountdown((o.deadline - now) / shownSpeed)})`),
          okLabel: `Speed up to ${v}×`,
        });
        if (!ans.ok) { speed.value = String(shownSpeed); return; }
      }
    }
    speed.disabled = true;
    try {
      await socket.command({ type: 'set_speed', speed: v });
    } catch (err) {
      showError(`Could not change the speed: ${err.message}`);
      speed.value = String(shownSpeed);
    } finally {
      applyControls();
    }
  });

  applyControls();
  // While the exercise store cannot be written, the server holds the clock
  // and refuses commands: say why, and that it resumes by itself.
  const storageNotice = $('#storage-notice');
  const showStorage = (storage) => {
    storageNotice.hidden = !storage;
    if (storage) {
      const since = storage.since ? new Date(storage.since).toLocaleTimeString() : '';
      storageNotice.textContent = `Nothing can be recorded: ${storage.problem}${since ? ` (since ${since})` : ''}. `
        + 'The clock is held and actions are refused until the store is back; a running exercise then resumes by itself.';
    }
  };
  socket.on('status', (m) => {
    const st = m.status || {};
    showStorage(st.storage);
    msel.update(st);
    const s = st.status || 'ready';
    if (!codesShown) {
      // Before the start the room needs its codes: show them.
      codesShown = true;
      if (s === 'ready') $('#codes-wrap').open = true;
    }
    if (s !== current) {
      current = s;
      document.body.dataset.status = s;
      applyControls();
    }
    if (st.speed && document.activeElement !== speed) {
      shownSpeed = st.speed;
      const v = String(st.speed);
      if (!Array.from(speed.options).some((o) => o.value === v)) speed.appendChild(option(v, `${v}×`));
      speed.value = v;
    }
  });
  socket.on('event', (m) => msel.onEvent(m));

  socket.start();
}

/** loadCodes fills the join codes panel (#join-codes). */
async function loadCodes(ctx) {
  const list = $('#join-codes');
  if (!list) return;
  try {
    const codes = await api(`/api/exercises/${encodeURIComponent(ctx.session.exercise)}/codes`);
    fillCodes(list, ctx.session.exercise, codes, (id) => ctx.dir.teamName(id));
  } catch (err) {
    list.replaceChildren(h('li', { class: 'muted' }, `Could not load the join codes: ${err.message}`));
  }
}

main().catch((err) => { if (!err || !err.handled) console.error(err); });
