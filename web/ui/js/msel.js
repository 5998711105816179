// The facilitator's MSEL panel: the next scheduled injects (status.upcoming)
// with Release / Skip / Delay, the injects waiting for a manual release
// (status.releasable), and the full MSEL (GET /api/exercises/{id} msel) in
// a wide dialog.
import { h, option, replace, placeInOrder, PointerUse } from './dom.js';
import { fmtTShort, MIN, severityBadge, channelLabel, triggerText } from './format.js';
import { countdown } from './countdown.js';
import { pending, showError } from './page.js';
import { confirmDialog } from './dialog.js';
import { t, contentLang } from './i18n.js';
import { scenarioLang } from './model.js';
import { attachmentFile } from './attachments.js';

/** HOLD_MS is how long (ms) a list holds still after a press or a click in it. */
const HOLD_MS = 4000;

export class MselPanel {
  constructor(root, ctx) {
    this.ctx = ctx;
    this.upRows = new Map();
    this.relRows = new Map();
    this.delivered = new Map(); // inject → Set(team)
    this.status = 'ready';
    this.upcoming = h('ol', { id: 'upcoming', class: 'msel-list' });
    this.releasable = h('ul', { id: 'releasable', class: 'msel-list' });
    this.upEmpty = h('p', { class: 'muted' }, t('ui.msel.up_empty'));
    this.relEmpty = h('p', { class: 'muted' }, t('ui.msel.rel_empty'));
    this.notStarted = h('p', { class: 'hint', id: 'upcoming-hint' }, t('ui.msel.not_started'));
    this.relEnded = h('p', { class: 'hint', hidden: true }, t('ui.msel.ended'));
    // Where the keyboard goes when the row it was on is gone: a list's heading.
    const upHead = h('h3', { class: 'subhead', id: 'upcoming-h', tabindex: '-1' }, t('ui.msel.next'));
    const relHead = h('h3', { class: 'subhead', id: 'releasable-h', tabindex: '-1' }, t('ui.msel.manual'));
    this.heads = new Map([[this.upcoming, upHead], [this.releasable, relHead]]);
    // A list's "none" line shows once the list is empty: not above a row that went away and is held.
    this.empties = new Map([[this.upcoming, this.upEmpty], [this.releasable, this.relEmpty]]);
    // While the pointer uses a list (over it, pressing, for a moment after
    // a click in it: see PointerUse), while the keyboard is in it and while
    // a confirmation asked from it is open, rows that go away stay
    // (disabled) and new ones wait, so no button moves under the pointer or
    // from under the keyboard. A note says so to the keyboard's user, who
    // may stay in the list for long.
    this.pointerUse = new Map(); // list → its PointerUse
    this.asking = new Set(); // lists a confirmation dialog was opened from
    this.later = new Map(); // list → the sync that waits
    this.heldNotes = new Map();
    for (const list of [this.upcoming, this.releasable]) {
      this.heldNotes.set(list, h('p', { class: 'hint msel-held', hidden: true, 'aria-live': 'polite' }, t('ui.msel.held')));
      // A touch has no hover: a press or a click holds the list for
      // HOLD_MS, so that a row going away cannot move another inject's
      // button under the finger between two taps.
      this.pointerUse.set(list, new PointerUse(list, () => this.resume(list), { linger: HOLD_MS }));
      // Once the keyboard has left, after the focus has settled.
      list.addEventListener('focusout', (e) => { if (!list.contains(e.relatedTarget)) setTimeout(() => this.resume(list)); });
    }
    replace(root,
      upHead,
      this.notStarted, this.upEmpty, this.upcoming, this.heldNotes.get(this.upcoming),
      relHead,
      this.relEnded, this.relEmpty, this.releasable, this.heldNotes.get(this.releasable),
      this.buildFull());
  }

  mselEntry(id) {
    return (this.ctx.exercise.msel || []).find((m) => m.id === id);
  }

  needsTeam(id) {
    const m = this.mselEntry(id);
    const to = m && m.to;
    return Array.isArray(to) ? to.includes('$team') : (typeof to === 'string' && to.includes('$team'));
  }

  /** send sends cmd with btn pending; the engine's refusal of an inject that no longer waits is said as such. */
  send(btn, cmd, doneLabel) {
    const command = () => this.ctx.socket.command(cmd).catch((err) => {
      // Release, skip and delay are refused with conflict, while the
      // exercise runs or is paused, only for an inject delivered or
      // skipped meanwhile (engine/apply.go).
      if (err && err.code === 'conflict' && (this.status === 'running' || this.status === 'paused')) err.key = 'ui.msel.error_gone';
      throw err;
    });
    const keyboard = this.keyboardOn(btn);
    const row = [...this.upRows.values(), ...this.relRows.values()].find((r) => r.buttons.includes(btn));
    // The rows after it, nearest first, and before it: where the keyboard
    // goes should the row be gone by the answer.
    const around = row ? this.around(row) : [];
    return pending(btn, command, { socket: this.ctx.socket, doneLabel }).finally(() => { if (keyboard && row) this.refocus(row, btn, around); });
  }

  /**
   * refocus puts the keyboard back on btn of row, which had it when its
   * command was sent: pending turned it off meanwhile, which drops the
   * keyboard to the top of the page. A row gone meanwhile gives it to its
   * neighbour.
   */
  refocus(row, btn, around) {
    const now = document.activeElement;
    if (now && now !== document.body) return;
    if (btn.isConnected && !btn.disabled) btn.focus();
    else this.neighbour(row, btn.dataset.cmd, around).focus();
  }

  /** around lists the rows of row's list other than row, those after it first, nearest first. */
  around(row) {
    const lis = [...row.list.children];
    const i = lis.indexOf(row.li);
    return i < 0 ? lis : [...lis.slice(i + 1), ...lis.slice(0, i).reverse()];
  }

  /**
   * confirm asks opts in the confirmation dialog for row of list, the list
   * holding still meanwhile, and resolves {ok, reason}: ok only when
   * confirmed and the row still waits. When the row went away meanwhile,
   * the keyboard goes to the next row (the dialog's opener is off) and,
   * if confirmed, a message says that nothing was sent.
   */
  async confirm(list, row, cmd, opts) {
    this.asking.add(list);
    let ans;
    try {
      ans = await confirmDialog(opts);
    } finally {
      this.asking.delete(list);
    }
    if (!row.gone) {
      this.resume(list);
      return ans;
    }
    const next = this.neighbour(row, cmd);
    this.resume(list);
    if (next) next.focus();
    if (ans.ok) this.refuseGone(row);
    return { ok: false, reason: ans.reason };
  }

  /** refuseGone says that row's inject no longer waits and nothing was sent. */
  refuseGone(row) {
    showError(t('ui.msel.gone', { inject: row.inject }));
  }

  /** neighbour is the button of the command cmd of the nearest row (of near, row's list by default) that still waits, else the heading of row's list. */
  neighbour(row, cmd, near = this.around(row)) {
    const rows = [...this.upRows.values(), ...this.relRows.values()];
    for (const li of near) {
      const r = rows.find((x) => x.li === li);
      const b = r && !r.gone && (r.buttons.find((x) => x.dataset.cmd === cmd) || r.buttons[0]);
      if (b && !b.disabled) return b;
    }
    return this.heads.get(row.list);
  }

  /** update takes a status object. */
  update(st) {
    this.status = st.status || 'ready';
    this.notStarted.hidden = this.status !== 'ready';
    this.relEnded.hidden = this.status !== 'ended';
    this.updateUpcoming(st.upcoming || []);
    this.updateReleasable(st.releasable || []);
  }

  /** recipients names who an upcoming delivery goes to. */
  recipients(u) {
    const { dir } = this.ctx;
    if (u.team) return dir.teamName(u.team);
    const m = this.mselEntry(u.inject);
    return m && Array.isArray(m.to) ? m.to.map((id) => dir.anyName(id)).join(', ') : t('ui.msel.its_recipients');
  }

  /** off reports whether the exercise's state refuses releases, skips and delays (the buttons are disabled). */
  off() {
    return this.status === 'ready' || this.status === 'ended';
  }

  updateUpcoming(list) {
    const { dir } = this.ctx;
    const keys = [];
    for (const u of list) {
      const key = `${u.inject}|${u.team || ''}`;
      keys.push(key);
      const r = this.upRows.get(key) || this.upcomingRow(key, u);
      r.u = u;
      r.at.textContent = fmtTShort(u.at);
      r.cd.dataset.deadline = u.at;
      r.title.textContent = u.title || dir.injectTitle(u.inject) || '';
      r.team.textContent = u.team ? `→ ${dir.teamName(u.team)}` : '';
      for (const b of r.buttons) if (b.dataset.state !== 'pending') b.disabled = this.off();
    }
    this.sync(this.upcoming, this.upRows, keys);
  }

  /** upcomingRow builds the row of a scheduled delivery (u of status.upcoming), with Release now, Skip and Delay. */
  upcomingRow(key, u) {
    const at = h('time', { class: 'up-at' });
    const cd = countdown(u.at, this.ctx.clock);
    const title = contentLang(h('span', { class: 'up-title' }), scenarioLang(this.ctx));
    const team = h('span', { class: 'up-team' });
    const release = h('button', { type: 'button', class: 'btn btn-small btn-primary', dataset: { cmd: 'release' }, 'aria-label': t('ui.msel.release_now_label', { inject: u.inject }) }, t('ui.msel.release_now'));
    const skip = h('button', { type: 'button', class: 'btn btn-small', dataset: { cmd: 'skip' }, 'aria-label': t('ui.msel.skip_label', { inject: u.inject }) }, t('ui.msel.skip'));
    const d5 = h('button', { type: 'button', class: 'btn btn-small', dataset: { cmd: 'delay5' }, 'aria-label': t('ui.msel.delay_label', { minutes: 5, inject: u.inject }) }, t('ui.msel.delay', { minutes: 5 }));
    const d15 = h('button', { type: 'button', class: 'btn btn-small', dataset: { cmd: 'delay15' }, 'aria-label': t('ui.msel.delay_label', { minutes: 15, inject: u.inject }) }, t('ui.msel.delay', { minutes: 15 }));
    const li = h('li', { class: 'msel-item', dataset: { upcoming: u.inject, upcomingTeam: u.team || '' } },
      h('div', { class: 'msel-when' }, at, cd),
      h('div', { class: 'msel-what' }, h('span', { class: 'inject-id' }, u.inject), ' ', title, team),
      h('div', { class: 'msel-buttons' }, release, skip, d5, d15));
    const r = { li, list: this.upcoming, at, cd, title, team, u, inject: u.inject, gone: false, buttons: [release, skip, d5, d15] };
    const { list } = r;
    // A button a row that went away keeps (the keyboard on it) sends nothing.
    const act = (fn) => () => (r.gone ? this.refuseGone(r) : fn());
    // release_inject takes the team; skip and delay act on the inject (docs/protocol.md).
    release.addEventListener('click', act(async () => {
      const ans = await this.confirm(list, r, 'release', {
        title: t('ui.msel.release_q', { inject: u.inject }),
        message: t('ui.msel.release_msg', { title: title.textContent || u.inject, to: this.recipients(u), at: fmtTShort(r.u.at) }),
        okLabel: t('ui.msel.release_now'),
        danger: false,
      });
      if (ans.ok) this.send(release, u.team ? { type: 'release_inject', inject: u.inject, team: u.team } : { type: 'release_inject', inject: u.inject }, t('ui.msel.released'));
    }));
    skip.addEventListener('click', act(async () => {
      const ans = await this.confirm(list, r, 'skip', { title: t('ui.msel.skip_q', { inject: u.inject }), message: t('ui.msel.skip_msg', { title: title.textContent || u.inject }), okLabel: t('ui.msel.skip_ok'), reason: true });
      if (ans.ok) this.send(skip, { type: 'skip_inject', inject: u.inject, text: ans.reason || undefined }, t('ui.msel.skipped'));
    }));
    d5.addEventListener('click', act(() => this.send(d5, { type: 'delay_inject', inject: u.inject, delay: 5 * MIN }, t('ui.msel.delayed'))));
    d15.addEventListener('click', act(() => this.send(d15, { type: 'delay_inject', inject: u.inject, delay: 15 * MIN }, t('ui.msel.delayed'))));
    this.upRows.set(key, r);
    return r;
  }

  updateReleasable(list) {
    const { dir } = this.ctx;
    const keys = [];
    for (const u of list) {
      const key = u.inject;
      keys.push(key);
      const r = this.relRows.get(key) || this.releasableRow(key, u);
      r.title.textContent = u.title || dir.injectTitle(u.inject) || '';
      for (const b of r.buttons) if (b.dataset.state !== 'pending') b.disabled = this.off();
    }
    this.sync(this.releasable, this.relRows, keys);
  }

  /** releasableRow builds the row of an inject that waits for a manual release (u of status.releasable), with its team select. */
  releasableRow(key, u) {
    const { dir } = this.ctx;
    const needs = u.per_team || this.needsTeam(u.inject);
    const selId = `release-team-${u.inject.replace(/[^\w-]/g, '_')}`;
    const sel = h('select', { id: selId, class: 'release-team' },
      option('', needs ? t('ui.msel.choose_team') : t('ui.msel.every_team')),
      dir.teamList().map((tm) => option(tm.id, t('ui.msel.only_team', { team: tm.name || tm.id }))));
    const release = h('button', { type: 'button', class: 'btn btn-small btn-primary', dataset: { cmd: 'release' }, 'aria-label': t('ui.msel.release_label', { inject: u.inject }) }, t('ui.msel.release'));
    const title = contentLang(h('span', { class: 'up-title' }), scenarioLang(this.ctx));
    const li = h('li', { class: 'msel-item', dataset: { releasable: u.inject } },
      h('div', { class: 'msel-what' }, h('span', { class: 'inject-id' }, u.inject), ' ', title),
      h('div', { class: 'msel-buttons' },
        h('label', { for: selId, class: 'sr-only' }, t('ui.msel.release_to', { inject: u.inject })), sel, release));
    const r = { li, list: this.releasable, title, inject: u.inject, gone: false, buttons: [release, sel] };
    release.addEventListener('click', () => {
      if (r.gone) { this.refuseGone(r); return; }
      if (needs && !sel.value) {
        sel.focus();
        sel.classList.add('invalid');
        return;
      }
      sel.classList.remove('invalid');
      const cmd = { type: 'release_inject', inject: u.inject };
      if (sel.value) cmd.team = sel.value;
      this.send(release, cmd, sel.value ? t('ui.msel.released_to', { team: dir.teamName(sel.value) }) : t('ui.msel.released'));
    });
    this.relRows.set(key, r);
    return r;
  }

  /**
   * sync makes list hold rows[keys] in order, touching the DOM only when
   * needed; while the list holds still (see holding) it only disables the
   * rows that went away, and finishes when the list is free again.
   */
  sync(list, rows, keys) {
    const want = new Set(keys);
    for (const [k, r] of rows) r.gone = !want.has(k);
    if (this.holding(list)) {
      for (const r of rows.values()) if (r.gone) this.markGone(r);
      this.later.set(list, () => this.sync(list, rows, keys));
      this.showHeld(list);
      this.showEmpty(list);
      return;
    }
    this.later.delete(list);
    for (const [k, r] of rows) {
      if (r.gone) { r.li.remove(); rows.delete(k); continue; }
      if (r.li.classList.contains('gone')) {
        r.li.classList.remove('gone');
        for (const b of r.buttons) {
          b.removeAttribute('aria-disabled');
          if (b.dataset.state !== 'pending') b.disabled = this.off();
        }
      }
    }
    placeInOrder(list, keys.map((k) => rows.get(k).li));
    this.showHeld(list);
    this.showEmpty(list);
  }

  /** showEmpty shows list's "none" line when the list has no row, held ones included. */
  showEmpty(list) {
    this.empties.get(list).hidden = list.childElementCount > 0;
  }

  /** markGone greys a row that went away while its list holds still and turns its buttons off. */
  markGone(r) {
    r.li.classList.add('gone');
    for (const b of r.buttons) {
      // The control the keyboard is on is only marked: disabled, it would
      // drop the keyboard to the top of the page. It sends nothing (see act).
      if (this.keyboardOn(b)) b.setAttribute('aria-disabled', 'true');
      else b.disabled = true;
    }
  }

  /** holding reports whether list must not move now. */
  holding(list) {
    return this.pointerUse.get(list).inUse() || this.asking.has(list) || this.keyboardIn(list);
  }

  /**
   * keyboardIn reports whether the keyboard is on a control of list. A
   * button clicked keeps the focus without showing it (:focus-visible):
   * that is the pointer's, which holds the list only for a moment.
   */
  keyboardIn(list) {
    const f = document.activeElement;
    return !!f && f !== list && list.contains(f) && this.keyboardOn(f);
  }

  /** keyboardOn reports whether the keyboard is on el: focused, and showing it. */
  keyboardOn(el) {
    return document.activeElement === el && el.matches(':focus-visible');
  }

  /** showHeld shows list's note while a change waits for the keyboard to leave it. */
  showHeld(list) {
    const held = this.later.has(list) && this.keyboardIn(list);
    const note = this.heldNotes.get(list);
    if (note.hidden === held) note.hidden = !held;
  }

  /** resume runs the sync that waited for list to be free. */
  resume(list) {
    if (this.holding(list)) { this.showHeld(list); return; }
    const run = this.later.get(list);
    this.later.delete(list);
    if (run) run();
    this.showHeld(list);
  }

  buildFull() {
    const msel = this.ctx.exercise.msel || [];
    this.fullRows = new Map();
    const tbody = h('tbody');
    const columns = ['id', 'when', 'title', 'to', 'channel', 'severity', 'delivered'];
    // Each cell carries its column's name, which a phone shows beside it
    // when the rows stack (css: #msel-table).
    const cell = (col, attrs, ...children) => h('td', { ...attrs, dataset: { label: t(`ui.msel.col.${col}`) } }, ...children);
    for (const m of msel) {
      const status = cell('delivered', { class: 'msel-status' });
      const tr = h('tr', { dataset: { msel: m.id } },
        cell('id', { class: 'inject-id' }, m.id),
        // A time stays on one line; a trigger's sentence wraps.
        typeof m.at === 'number' ? cell('when', { class: 'nowrap' }, fmtTShort(m.at)) : cell('when', null, triggerText(m.trigger, this.ctx.dir) || '—'),
        // The title is in the scenario's language; the column's name (data-label) in the reader's.
        cell('title', null, contentLang(h('span', null, m.title || ''), scenarioLang(this.ctx)), (m.files || []).length
          ? h('div', { class: 'msel-files' }, m.files.map((f) => attachmentFile(f, scenarioLang(this.ctx))))
          : null),
        cell('to', null, Array.isArray(m.to) ? m.to.map((x) => this.ctx.dir.anyName(x)).join(', ') : (m.to || '')),
        cell('channel', null, channelLabel(m.channel)),
        cell('severity', null, severityBadge(m.severity)),
        status);
      this.fullRows.set(m.id, status);
      tbody.appendChild(tr);
    }
    const close = h('button', { type: 'button', class: 'btn', id: 'msel-close' }, t('ui.close'));
    const dialog = h('dialog', { id: 'msel-dialog', class: 'dialog dialog-wide', 'aria-labelledby': 'msel-dialog-title' },
      h('div', { class: 'dialog-form' },
        h('div', { class: 'panel-head' },
          h('h2', { id: 'msel-dialog-title', class: 'dialog-title' }, t('ui.msel.full_title', { count: msel.length })),
          close),
        h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('ui.msel.table') },
          h('table', { class: 'grid compact', id: 'msel-table' },
            h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, t(`ui.msel.col.${c}`))))),
            tbody))));
    close.addEventListener('click', () => dialog.close());
    document.body.appendChild(dialog);
    const open = h('button', { type: 'button', class: 'btn btn-small msel-open', id: 'btn-msel' }, t('ui.msel.full', { count: msel.length }));
    open.addEventListener('click', () => { dialog.showModal(); close.focus(); });
    return h('p', { class: 'msel-full' }, open);
  }

  /** onEvent marks deliveries and skips in the full MSEL. */
  onEvent(msg) {
    const ev = msg.event || {};
    const d = ev.data || {};
    const cell = this.fullRows.get(d.inject);
    if (!cell) return;
    if (ev.type === 'inject.delivered') {
      if (!this.delivered.has(d.inject)) this.delivered.set(d.inject, new Set());
      this.delivered.get(d.inject).add(ev.team);
      cell.textContent = `✓ ${[...this.delivered.get(d.inject)].map((x) => this.ctx.dir.teamName(x)).join(', ')}`;
    } else if (ev.type === 'inject.skipped') {
      cell.textContent = t('ui.msel.skipped_cell');
    }
  }
}
