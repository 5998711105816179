// Shared page plumbing for the live pages (facilitator, trainee, observer):
// session and exercise loading, the header (title, clock, status,
// connection state), the error and announcement regions, and the pending
// state of action buttons.
import { api, ApiError } from './api.js';
import { h, $, replace } from './dom.js';
import { ExerciseSocket } from './socket.js';
import { VirtualClock } from './clock.js';
import { Directory, exerciseText } from './model.js';
import { fmtT, reasonText } from './format.js';
import { scenarioDate, fmtInZone, fmtAtOffset, offsetMinutes } from './scenclock.js';
import { mountSchedule } from './schedule.js';
import { i18n, t, startPage, contentLang } from './i18n.js';
import { watchTyping, mayLoseUnsent, sending } from './unsent.js';

export function pageFor(role) {
  switch (role) {
    case 'facilitator': return '/facilitator.html';
    case 'trainee': return '/trainee.html';
    case 'evaluator':
    case 'observer': return '/observer.html';
    default: return '/';
  }
}

/* ---------- errors and announcements ---------- */

const MAX_ERRORS = 3;

/** ERROR_TIMEOUT is how long a message stays unless it is closed first (ms). */
export const ERROR_TIMEOUT = 12000;

/**
 * showError puts a message in #errors (an aria-live region above the page,
 * which covers nothing): it has a close button and goes away by itself
 * after timeout ms (0: stays until closed).
 */
export function showError(message, { link, kind = 'error', timeout = ERROR_TIMEOUT } = {}) {
  const box = $('#errors');
  if (!box) { console.error(message); return; }
  const close = h('button', { type: 'button', class: 'alert-close', 'aria-label': t('ui.dismiss') }, '×');
  const item = h('div', { class: ['alert', `alert-${kind}`] },
    h('span', { class: 'alert-text' }, ...(Array.isArray(message) ? message : [message])),
    link ? h('a', { href: link.href, class: 'alert-link' }, link.text) : null,
    close);
  close.addEventListener('click', () => item.remove());
  box.appendChild(item);
  // Past MAX_ERRORS the oldest go, but not one the person is using.
  for (const old of [...box.children]) {
    if (box.children.length <= MAX_ERRORS) break;
    if (old !== item && !inUse(old)) old.remove();
  }
  // A message being read (the keyboard or the pointer on it) stays until
  // it is left (WCAG 2.2.1: a person may need more time).
  const expire = () => {
    if (inUse(item)) setTimeout(expire, 2000);
    else item.remove();
  };
  if (timeout) setTimeout(expire, timeout);
  return item;
}

/** inUse reports whether the keyboard or the pointer is on el. */
function inUse(el) {
  return el.contains(document.activeElement) || el.matches(':hover');
}

export function clearErrors() {
  const box = $('#errors');
  if (box) replace(box);
}

/** announce tells screen readers something (polite). */
export function announce(message) {
  const el = $('#announce');
  if (!el) return;
  el.textContent = '';
  // A new text node after clearing makes screen readers read it again.
  setTimeout(() => { el.textContent = message; }, 50);
}

/**
 * errorMessage says an error in the reader's language: a server error by
 * its code (i18n.errorText), a network failure as such; other errors keep
 * their own message.
 */
export function errorMessage(err) {
  if (!err) return t('ui.error.generic');
  if (err.key) return t(err.key);
  if (err.code === 'network') return t('ui.error.network');
  // A refusal that comes from the exercise's state says which state.
  const status = globalThis.document?.body?.dataset.status;
  if (err.code === 'conflict' && ['paused', 'ended', 'ready'].includes(status)) return t(`ui.error.conflict_${status}`);
  if (err instanceof ApiError || err.code) return i18n.errorText(err.code);
  return err.message || String(err);
}

/**
 * errorDetail returns the server's own (English) message of an error, for
 * staff: shown after the translated text, or '' when there is none.
 */
export function errorDetail(err) {
  return err && (err instanceof ApiError || err.code) && err.message && err.code !== 'network' && !err.key ? err.message : '';
}

/** staff is true on the pages of facilitators, evaluators and observers, who also see the server's own words. */
let staff = false;

/**
 * errorNodes says err in the reader's language; for staff the server's
 * message follows, marked as English.
 */
export function errorNodes(err) {
  const detail = staff ? errorDetail(err) : '';
  return [errorMessage(err), detail ? h('span', { class: 'alert-detail', lang: 'en' }, ` (${detail})`) : null];
}

/* ---------- pending buttons ---------- */

/**
 * pending runs fn (which returns a Promise) while btn shows it is waiting:
 * disabled, aria-busy, class "pending", data-state="pending". On success
 * data-state becomes "done" (the label says so for a moment); on failure
 * "error" and the message goes to errorEl (inline) and #errors.
 */
export async function pending(btn, fn, { errorEl, socket, doneLabel = t('ui.pending.done'), quiet = false } = {}) {
  if (!btn.dataset.label) btn.dataset.label = btn.textContent;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  btn.classList.add('pending');
  btn.classList.remove('done', 'failed');
  btn.dataset.state = 'pending';
  showPassing(btn, socket && socket.state !== 'online' ? t('ui.pending.queued') : t('ui.pending.sending'));
  if (errorEl) { errorEl.textContent = ''; errorEl.hidden = true; }
  const restore = () => {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    btn.classList.remove('pending');
    showLabel(btn); // relabel may have changed the label meanwhile
  };
  const sent = sending(btn.form);
  try {
    const res = await fn();
    restore();
    sent();
    btn.dataset.state = 'done';
    btn.classList.add('done');
    showPassing(btn, `✓ ${doneLabel}`);
    setTimeout(() => { if (btn.dataset.state === 'done') { showLabel(btn); btn.classList.remove('done'); } }, 1800);
    return res;
  } catch (err) {
    restore();
    btn.dataset.state = 'error';
    btn.classList.add('failed');
    if (errorEl) { replace(errorEl, ...errorNodes(err)); errorEl.hidden = false; }
    // The inline message stays; the one above the page goes away by itself.
    if (!quiet) showError(errorNodes(err));
    return undefined;
  }
}

/**
 * showPassing shows a passing text on btn (sending, done). A button named
 * by aria-label gets the text at the head of its name too: the name must
 * contain what the button shows (WCAG 2.5.3, label in name), or a person
 * who speaks to their computer cannot say what they see.
 */
function showPassing(btn, text) {
  btn.textContent = text;
  if (!btn.hasAttribute('aria-label')) return;
  const current = btn.getAttribute('aria-label');
  btn.dataset.name = current === btn.dataset.said ? btn.dataset.name : current;
  btn.dataset.said = `${text} — ${btn.dataset.name}`;
  btn.setAttribute('aria-label', btn.dataset.said);
}

/** showLabel puts btn's label back, and its name unless the page has renamed it meanwhile. */
function showLabel(btn) {
  btn.textContent = btn.dataset.label;
  if (btn.dataset.said === undefined) return;
  if (btn.getAttribute('aria-label') === btn.dataset.said) btn.setAttribute('aria-label', btn.dataset.name);
  delete btn.dataset.said;
  delete btn.dataset.name;
}

/**
 * relabel gives btn a new label. A button that is sending, or saying for a
 * moment that it is done, shows the new label when pending restores it.
 */
export function relabel(btn, label) {
  btn.dataset.label = label;
  if (btn.dataset.state !== 'pending' && !btn.classList.contains('done')) btn.textContent = label;
}

/* ---------- boot ---------- */

/**
 * boot loads the session and exercise, checks the role, builds the socket,
 * clock and directory and wires the common header. It returns the context
 * the page works with; call ctx.socket.start() once handlers are attached.
 */
export async function boot(page, roles) {
  let session;
  let exercise;
  try {
    session = await api('/api/session');
  } catch (err) {
    await startPage({ onSwitch: () => location.reload() });
    if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404)) {
      notJoined();
    } else {
      showError(t('ui.session.load_failed', { error: errorMessage(err) }), { timeout: 0 });
    }
    err.handled = true;
    throw err;
  }
  // Each participant's language choice is remembered apart (a shared
  // computer in the room); a reload re-renders the console in the new one,
  // after asking when that would lose text not yet sent.
  watchTyping();
  await startPage({ participant: participantKey(session), onSwitch: () => location.reload(), maySwitch: () => mayLoseUnsent() });
  staff = ['facilitator', 'evaluator', 'observer'].includes(session.role);
  if (!roles.includes(session.role)) {
    location.replace(pageFor(session.role));
    const err = new Error('wrong page for role');
    err.handled = true;
    throw err;
  }
  try {
    exercise = await api(`/api/exercises/${encodeURIComponent(session.exercise)}`);
  } catch (err) {
    showError(t('ui.exercise.load_failed', { error: errorMessage(err) }), { timeout: 0 });
    err.handled = true;
    throw err;
  }
  const you = exercise.you || { role: session.role, team: session.team, name: session.name };
  const dir = new Directory(exercise);
  const clock = new VirtualClock();
  if (typeof exercise.duration === 'number') clock.duration = exercise.duration;
  const socket = new ExerciseSocket(session.exercise, {
    principal: { role: you.role || session.role, team: you.team || session.team || '', name: you.name || session.name || '' },
  });
  const ctx = { session, exercise, you, dir, clock, socket, status: null };

  wireHeader(ctx);
  mountSchedule(ctx, { canSchedule: (you.role || session.role) === 'facilitator' });
  return ctx;
}

/** participantKey names who reads a console, for their saved language. */
export function participantKey(session) {
  return [session.exercise, session.role, session.team || '', session.name || ''].join(':');
}

function notJoined() {
  const main = $('main') || document.body;
  replace(main, h('section', { class: 'panel notice' },
    h('h2', null, t('ui.notjoined.title')),
    h('p', null, t('ui.notjoined.text')),
    h('p', null, h('a', { class: 'btn btn-primary', href: '/' }, t('ui.join.title')))));
  const conn = $('#conn-state');
  if (conn) { conn.textContent = t('ui.conn.offline'); conn.dataset.state = 'offline'; conn.className = 'conn conn-offline'; }
}

function wireHeader(ctx) {
  const { exercise, clock, socket, you, dir } = ctx;
  const title = $('#ex-title');
  const exTitle = exerciseText(exercise, 'title');
  if (title) contentLang(title, exTitle.lang).textContent = exTitle.text || t('ui.exercise');
  document.title = `${exTitle.text || t('ui.exercise')} — cmesim`;
  const who = $('#who');
  if (who) {
    const where = you.team ? dir.teamName(you.team) : t(`ui.role.${you.role}`);
    // Staff who joined without a name are named after their role.
    who.textContent = you.name && you.name !== where && you.name !== you.role ? `${you.name} · ${where}` : where;
  }

  const clockEl = $('#clock');
  if (clockEl) {
    clock.onTick((now) => {
      const s = fmtT(now);
      if (clockEl.textContent !== s) clockEl.textContent = s;
    });
  }

  wireScenarioClock(ctx);

  const conn = $('#conn-state');
  const connDetail = $('#conn-detail');
  const renderConn = () => {
    if (conn) {
      conn.textContent = t(`ui.conn.${socket.state}`);
      conn.dataset.state = socket.state;
      conn.className = `conn conn-${socket.state}`;
    }
    if (connDetail) {
      const n = socket.pendingCount;
      let s = '';
      if (socket.state === 'offline') s = t('ui.conn.reconnecting');
      if (n && socket.state !== 'online') s += `${s ? ' ' : ''}${t('ui.conn.queued', { count: n })}`;
      connDetail.textContent = s;
    }
  };
  socket.on('state', renderConn);
  renderConn();
  setInterval(renderConn, 1000);

  socket.on('session_ended', () => {
    showError(t('ui.session.ended'), { link: { href: '/', text: t('ui.join.again') } });
  });

  let lastSessionCheck = 0;
  socket.on('state', async (s) => {
    if (s !== 'offline' || socket.attempt < 3 || Date.now() - lastSessionCheck < 30000) return;
    lastSessionCheck = Date.now();
    try {
      await api('/api/session');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        socket.stop();
        showError(t('ui.session.ended'), { link: { href: '/', text: t('ui.join.again') }, timeout: 0 });
      }
    }
  });

  const statusEl = $('#status');
  const speedEl = $('#speed-label');
  socket.on('status', (m) => {
    const st = m.status || {};
    if (typeof st.now !== 'number' && typeof m.at === 'number') st.now = m.at;
    ctx.status = st;
    clock.update(st);
    if (statusEl && st.status) {
      statusEl.textContent = t(`ui.status.${st.status}`);
      statusEl.dataset.status = st.status;
      statusEl.className = `status status-${st.status}`;
    }
    if (speedEl && st.speed) speedEl.textContent = `${fmtSpeed(st.speed)}×`;
  });
  socket.on('event', (m) => {
    dir.learnEvent(m);
    clock.observe(m.at ?? (m.event && m.event.at));
    const ev = m.event || {};
    if (ev.type === 'exercise.ended') showEnded(ctx, ev);
  });
  socket.on('error', (m) => showError(errorNodes({ code: m.code || 'internal', message: m.message })));

  const leave = $('#btn-leave');
  if (leave) {
    leave.addEventListener('click', async () => {
      try { await api('/api/logout', { method: 'POST' }); } catch { /* leave anyway */ }
      socket.stop();
      location.href = '/';
    });
  }
}

/**
 * showEnded says on the page (#ended-notice) that the exercise has ended,
 * when and why; ctx.ended keeps it ({at, reason, text}).
 */
function showEnded(ctx, ev) {
  const d = ev.data || {};
  ctx.ended = { at: ev.at || 0, reason: d.reason || '', reason_code: d.reason_code || '', text: d.text || '' };
  let el = $('#ended-notice');
  if (!el) {
    el = h('p', { id: 'ended-notice', class: 'banner banner-ended', role: 'status' });
    const after = $('#announce') || $('#errors');
    if (after) after.after(el); else document.body.prepend(el);
  }
  el.hidden = false;
  el.textContent = t('ui.ended.banner', { at: fmtT(ctx.ended.at), reason: endReason(ctx.ended, ctx.ended.text) });
}

/**
 * wireScenarioClock shows the scenario's calendar time next to the T+
 * clock (#scenario-clock, data-iso): in the team's time zone for trainees,
 * in the start time's own offset for staff.
 */
function wireScenarioClock(ctx) {
  const { exercise, clock, you, dir } = ctx;
  const clockEl = $('#clock');
  if (!clockEl || !exercise.start_time || !scenarioDate(exercise.start_time, 0)) return;
  const el = h('span', { id: 'scenario-clock', class: 'scenario-clock', title: t('ui.scenario_clock') });
  clockEl.after(el);
  const team = you.team && dir.teams.get(you.team);
  const zone = team && team.timezone;
  let last = '';
  clock.onTick((now) => {
    const d = scenarioDate(exercise.start_time, now);
    const text = zone ? fmtInZone(d, zone) : fmtAtOffset(d, offsetMinutes(exercise.start_time));
    if (text === last) return;
    last = text;
    el.textContent = text;
    el.dataset.iso = d.toISOString();
  });
}

/**
 * endReason says why the exercise ended in the reader's language, from
 * the end's {reason, reason_code}, with the facilitator's words.
 */
export function endReason(why, text) {
  const r = reasonText(why) || t('ui.ended.default');
  return text ? t('ui.ended.with_text', { reason: r, text }) : r;
}

export function fmtSpeed(s) {
  return Number.isInteger(s) ? String(s) : String(Math.round(s * 100) / 100);
}
