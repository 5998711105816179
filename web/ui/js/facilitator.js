// The facilitator's control panel.
import { $, h, option } from './dom.js';
import { api } from './api.js';
import { boot, pending, showError, errorMessage, fmtSpeed } from './page.js';
import { i18n, t } from './i18n.js';
import { staffViews } from './staff.js';
import { MselPanel } from './msel.js';
import { Composer } from './composer.js';
import { mountSimCell } from './simcell.js';
import { confirmDialog } from './dialog.js';
import { fillCodes } from './codes.js';
import { mountWall } from './wall.js';
import { mountDecisions } from './decision.js';
import { SurveyResults } from './hotwash.js';
import { AAREditor } from './aar.js';
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
 * NEXT_CONTROL names, for each control, where the keyboard goes when a
 * change of status turns it off while it is on it: its counterpart first.
 * After the end every control is off: the keyboard goes to the report.
 */
const NEXT_CONTROL = {
  start: ['pause', 'end'],
  pause: ['resume', 'end'],
  resume: ['pause', 'end'],
  jump: ['resume', 'pause', 'end'],
  end: [],
};

/**
 * humanOpen lists the open expectations of teams played by humans that fall
 * due by `until` (ns), leaving out those that events since the last status
 * closed (closed holds "team/inject/expectation").
 */
export function humanOpen(st, until, dir, closed = new Set()) {
  const out = [];
  for (const team of st.teams || []) {
    if (team.mode !== 'human') continue;
    for (const o of team.open || []) {
      if (o.deadline <= until && !closed.has(`${team.id}/${o.inject}/${o.expectation}`)) out.push({ team: team.id, name: team.name || dir.teamName(team.id), ...o });
    }
  }
  return out.sort((a, b) => a.deadline - b.deadline);
}

/** jumpTarget is where a jump would take the clock: the next scheduled inject, else the next deadline. */
export function jumpTarget(st) {
  if ((st.upcoming || []).length) return st.upcoming[0].at;
  let next = Infinity;
  for (const team of st.teams || []) for (const o of team.open || []) next = Math.min(next, o.deadline);
  return next;
}

async function main() {
  const ctx = await boot('facilitator', ['facilitator']);
  const { socket, dir } = ctx;

  const send = (btn, cmd, doneLabel) => pending(btn, () => socket.command(cmd), { socket, doneLabel });

  staffViews(ctx, {
    canWriteNotes: true,
    canJudge: true,
    lead: true,
    onToggleMode: (team, mode, btn) => send(btn, { type: 'set_mode', team, mode }, mode === 'human' ? t('ui.teams.handed_over') : t('ui.teams.simulated')),
  });
  const msel = new MselPanel($('#msel'), ctx);
  new Composer($('#composer'), ctx);
  mountSimCell(ctx);
  mountWall(ctx, { canPost: true });
  mountDecisions(ctx, { canForce: true });
  new SurveyResults($('#hotwash'), ctx);
  new AAREditor($('#aar'), ctx);
  loadCodes(ctx);

  // Controls.
  const btn = {
    start: $('#btn-start'), pause: $('#btn-pause'), resume: $('#btn-resume'), jump: $('#btn-jump'), end: $('#btn-end'),
  };
  const speed = $('#speed');
  for (const s of SPEEDS) speed.appendChild(option(String(s), `${fmtSpeed(s)}×`));

  let current = 'ready';
  let shownSpeed = 1;
  let codesShown = false;
  // Expectations met or missed since the last status (which lags events).
  const closed = new Set();
  socket.on('event', (m) => {
    const ev = m.event || {};
    if (ev.type === 'expectation.met' || ev.type === 'expectation.missed') closed.add(`${ev.team}/${(ev.data || {}).inject}/${(ev.data || {}).expectation}`);
  });
  // The control the keyboard is on, kept when the focus falls to the page
  // because the control was turned off (by its own pending command or a
  // status), so that applyControls can put the keyboard back.
  let onControl = null;
  const controlName = (el) => Object.keys(btn).find((k) => btn[k] === el) || null;
  document.addEventListener('focusin', (e) => { onControl = controlName(e.target); });
  document.addEventListener('pointerdown', () => { onControl = null; }, true);
  /** keepKeyboard moves the keyboard from a control turned off to the next sensible one. */
  const keepKeyboard = () => {
    const active = document.activeElement;
    const lost = !active || active === document.body;
    const name = lost ? onControl : controlName(active);
    if (!name || (!lost && !btn[name].disabled)) return;
    const to = btn[name].disabled ? NEXT_CONTROL[name].map((k) => btn[k]).find((b) => !b.disabled) || (current === 'ended' && $('#reports a')) : btn[name];
    if (to) to.focus();
  };
  const applyControls = () => {
    const enable = enabledControls(current);
    for (const [k, b] of Object.entries(btn)) {
      if (b.dataset.state !== 'pending') b.disabled = !enable[k];
    }
    speed.disabled = current === 'ended';
    keepKeyboard();
  };
  const control = (b, cmd, doneLabel) => send(b, cmd, doneLabel).finally(applyControls);
  const expiryLine = (o) => t('ui.fac.expiry_line', { team: o.name, inject: o.inject, action: actionLabel(o.action), at: fmtTShort(o.deadline) });

  btn.start.addEventListener('click', () => control(btn.start, { type: 'start' }, t('ui.fac.started')));
  btn.pause.addEventListener('click', () => control(btn.pause, { type: 'pause' }, t('ui.fac.paused')));
  btn.resume.addEventListener('click', () => control(btn.resume, { type: 'resume' }, t('ui.fac.resumed')));
  btn.jump.addEventListener('click', async () => {
    const st = ctx.status || {};
    const to = jumpTarget(st);
    const expiring = Number.isFinite(to) ? humanOpen(st, to, dir, closed) : [];
    if (expiring.length) {
      const ans = await confirmDialog({
        title: t('ui.fac.jump_q', { at: fmtT(to) }),
        message: t('ui.fac.jump_msg', { count: expiring.length }),
        items: expiring.map(expiryLine),
        okLabel: t('ui.fac.jump_ok'),
      });
      if (!ans.ok) return;
    }
    pending(btn.jump, () => socket.jump(), { socket, doneLabel: t('ui.fac.jumped') }).finally(applyControls);
  });
  btn.end.addEventListener('click', async () => {
    const ans = await confirmDialog({
      title: t('ui.fac.end_q'),
      message: t('ui.fac.end_msg'),
      okLabel: t('ui.fac.end_ok'),
      reason: true,
    });
    if (ans.ok) control(btn.end, ans.reason ? { type: 'end', text: ans.reason } : { type: 'end' }, t('ui.fac.ended'));
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
          title: t('ui.fac.speed_q', { speed: fmtSpeed(v) }),
          message: t('ui.fac.speed_msg', { speed: fmtSpeed(v), minutes: SPEED_HORIZON / 60 / NS }),
          items: soon.map((o) => t('ui.fac.speed_item', { line: expiryLine(o), fast: fmtCountdown((o.deadline - now) / v), slow: fmtCountdown((o.deadline - now) / shownSpeed) })),
          okLabel: t('ui.fac.speed_ok', { speed: fmtSpeed(v) }),
        });
        if (!ans.ok) { speed.value = String(shownSpeed); return; }
      }
    }
    speed.disabled = true;
    try {
      await socket.command({ type: 'set_speed', speed: v });
    } catch (err) {
      showError(t('ui.fac.speed_failed', { error: errorMessage(err) }));
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
      const since = storage.since ? i18n.formatTime(storage.since, { timeStyle: 'medium' }) : '';
      // The store's problem is the server's own (English) words: a detail for staff.
      storageNotice.textContent = `${t(since ? 'ui.fac.storage_since' : 'ui.fac.storage', { problem: storage.problem, since })} ${t('ui.fac.storage_held')}`;
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
      if (!Array.from(speed.options).some((o) => o.value === v)) speed.appendChild(option(v, `${fmtSpeed(st.speed)}×`));
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
    list.replaceChildren(h('li', { class: 'muted' }, t('ui.fac.codes_failed', { error: errorMessage(err) })));
  }
}

main().catch((err) => { if (!err || !err.handled) console.error(err); });
