// Shared page plumbing for the live pages (facilitator, trainee, observer):
// session and exercise loading, the header (title, clock, status,
// connection state), the error and announcement regions, and the pending
// state of action buttons.
import { api, ApiError } from './api.js';
import { h, $, replace } from './dom.js';
import { ExerciseSocket } from './socket.js';
import { VirtualClock } from './clock.js';
import { Directory } from './model.js';
import { fmtT } from './format.js';

export const isDemo = () => location.hash === '#demo';

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

const MAX_ERRORS = 4;

/** showError puts a dismissable message in #errors (an aria-live region). */
export function showError(message, { link, kind = 'error', timeout = 0 } = {}) {
  const box = $('#errors');
  if (!box) { console.error(message); return; }
  const close = h('button', { type: 'button', class: 'alert-close', 'aria-label': 'Dismiss message' }, '×');
  const item = h('div', { class: ['alert', `alert-${kind}`] },
    h('span', { class: 'alert-text' }, message),
    link ? h('a', { href: link.href, class: 'alert-link' }, link.text) : null,
    close);
  close.addEventListener('click', () => item.remove());
  box.appendChild(item);
  while (box.children.length > MAX_ERRORS) box.firstElementChild.remove();
  if (timeout) setTimeout(() => item.remove(), timeout);
  return item;
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

export function errorMessage(err) {
  if (!err) return 'Something went wrong.';
  if (err instanceof ApiError || err.code) return err.message || String(err.code);
  return err.message || String(err);
}

/* ---------- pending buttons ---------- */

/**
 * pending runs fn (which returns a Promise) while btn shows it is waiting:
 * disabled, aria-busy, class "pending", data-state="pending". On success
 * data-state becomes "done" (the label says so for a moment); on failure
 * "error" and the message goes to errorEl (inline) and #errors.
 */
export async function pending(btn, fn, { errorEl, socket, doneLabel = 'Done', quiet = false } = {}) {
  if (!btn.dataset.label) btn.dataset.label = btn.textContent;
  const label = btn.dataset.label;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  btn.classList.add('pending');
  btn.classList.remove('done', 'failed');
  btn.dataset.state = 'pending';
  btn.textContent = socket && socket.state !== 'online' ? 'Queued…' : 'Sending…';
  if (errorEl) { errorEl.textContent = ''; errorEl.hidden = true; }
  const restore = () => {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    btn.classList.remove('pending');
    btn.textContent = label;
  };
  try {
    const res = await fn();
    restore();
    btn.dataset.state = 'done';
    btn.classList.add('done');
    btn.textContent = `✓ ${doneLabel}`;
    setTimeout(() => { if (btn.dataset.state === 'done') { btn.textContent = label; btn.classList.remove('done'); } }, 1800);
    return res;
  } catch (err) {
    restore();
    btn.dataset.state = 'error';
    btn.classList.add('failed');
    const msg = errorMessage(err);
    if (errorEl) { errorEl.textContent = msg; errorEl.hidden = false; }
    // The inline message stays; the toast goes away by itself.
    if (!quiet) showError(msg, { timeout: errorEl ? 12000 : 0 });
    return undefined;
  }
}

/* ---------- boot ---------- */

/**
 * boot loads the session and exercise, checks the role, builds the socket,
 * clock and directory and wires the common header. It returns the context
 * the page works with; call ctx.socket.start() once handlers are attached.
 */
export async function boot(page, roles) {
  const demo = isDemo();
  let demoMod = null;
  let session;
  let exercise;
  try {
    if (demo) {
      demoMod = await import('./demo.js');
      session = demoMod.session(page);
      exercise = demoMod.exercise(session);
    } else {
      session = await api('/api/session');
    }
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404)) {
      notJoined();
      err.handled = true;
    } else {
      showError(`Could not load your session: ${errorMessage(err)}`);
    }
    err.handled = true;
    throw err;
  }
  if (!roles.includes(session.role)) {
    location.replace(pageFor(session.role) + (demo ? '#demo' : ''));
    const err = new Error('wrong page for role');
    err.handled = true;
    throw err;
  }
  if (!demo) {
    try {
      exercise = await api(`/api/exercises/${encodeURIComponent(session.exercise)}`);
    } catch (err) {
      showError(`Could not load the exercise: ${errorMessage(err)}`);
      err.handled = true;
      throw err;
    }
  }
  const you = exercise.you || { role: session.role, team: session.team, name: session.name };
  const dir = new Directory(exercise);
  const clock = new VirtualClock();
  if (typeof exercise.duration === 'number') clock.duration = exercise.duration;
  const socket = new ExerciseSocket(session.exercise, {
    principal: { role: you.role || session.role, team: you.team || session.team || '', name: you.name || session.name || '' },
    createWebSocket: demo ? demoMod.createWebSocket : undefined,
  });
  const ctx = { demo, demoMod, session, exercise, you, dir, clock, socket, status: null };

  wireHeader(ctx);
  return ctx;
}

function notJoined() {
  const main = $('main') || document.body;
  replace(main, h('section', { class: 'panel notice' },
    h('h2', null, 'You are not in an exercise'),
    h('p', null, 'Your session has ended or you have not joined yet. Join with the code your facilitator gave you.'),
    h('p', null, h('a', { class: 'btn btn-primary', href: '/' }, 'Join an exercise'))));
  const conn = $('#conn-state');
  if (conn) { conn.textContent = 'offline'; conn.className = 'conn conn-offline'; }
}

function wireHeader(ctx) {
  const { exercise, clock, socket, you, dir } = ctx;
  const title = $('#ex-title');
  if (title) title.textContent = exercise.title || 'Exercise';
  document.title = `${exercise.title || 'Exercise'} — cmesim`;
  const who = $('#who');
  if (who) {
    const where = you.team ? dir.teamName(you.team) : you.role;
    // Staff who joined without a name are named after their role.
    who.textContent = you.name && you.name !== where ? `${you.name} · ${where}` : where;
  }

  const clockEl = $('#clock');
  if (clockEl) {
    clock.onTick((t) => {
      const s = fmtT(t);
      if (clockEl.textContent !== s) clockEl.textContent = s;
    });
  }

  const conn = $('#conn-state');
  const connDetail = $('#conn-detail');
  const renderConn = () => {
    if (conn) {
      conn.textContent = socket.state;
      conn.className = `conn conn-${socket.state}`;
    }
    if (connDetail) {
      const n = socket.pendingCount;
      let s = '';
      if (socket.state === 'offline') s = 'reconnecting…';
      if (n && socket.state !== 'online') s += `${s ? ' ' : ''}${n} queued`;
      connDetail.textContent = s;
    }
  };
  socket.on('state', renderConn);
  renderConn();
  setInterval(renderConn, 1000);

  socket.on('session_ended', () => {
    showError('Your session has ended.', { link: { href: '/', text: 'Join again' } });
  });

  let lastSessionCheck = 0;
  socket.on('state', async (s) => {
    if (s !== 'offline' || ctx.demo || socket.attempt < 3 || Date.now() - lastSessionCheck < 30000) return;
    lastSessionCheck = Date.now();
    try {
      await api('/api/session');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        socket.stop();
        showError('Your session has ended.', { link: { href: '/', text: 'Join again' } });
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
      statusEl.textContent = st.status;
      statusEl.className = `status status-${st.status}`;
    }
    if (speedEl && st.speed) speedEl.textContent = `${fmtSpeed(st.speed)}×`;
  });
  socket.on('event', (m) => {
    dir.learnEvent(m);
    clock.observe(m.at ?? (m.event && m.event.at));
  });
  socket.on('error', (m) => showError(`${m.message || m.code || 'Server error'}`));

  const leave = $('#btn-leave');
  if (leave) {
    leave.addEventListener('click', async () => {
      if (!ctx.demo) {
        try { await api('/api/logout', { method: 'POST' }); } catch { /* leave anyway */ }
      }
      socket.stop();
      location.href = '/';
    });
  }
}

export function fmtSpeed(s) {
  return Number.isInteger(s) ? String(s) : String(Math.round(s * 100) / 100);
}
