// The facilitator's MSEL panel: the next scheduled injects (status.upcoming)
// with Release / Skip / Delay, the injects waiting for a manual release
// (status.releasable), and the full MSEL (GET /api/exercises/{id} msel) in
// a wide dialog.
import { h, option, replace } from './dom.js';
import { fmtTShort, MIN, severityBadge, channelLabel, triggerText } from './format.js';
import { countdown } from './countdown.js';
import { pending } from './page.js';
import { confirmDialog } from './dialog.js';
import { t, contentLang } from './i18n.js';
import { scenarioLang } from './model.js';
import { attachmentFile } from './attachments.js';

/** HOLD_MS is how long a list holds still after a click in it. */
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
    // While the pointer is over a list, and for a moment after a click in
    // it, rows that go away stay (disabled) and new ones wait, so no button
    // moves under the pointer.
    this.pointerIn = new Set();
    this.holdUntil = new Map(); // list → Date.now() until which it holds still
    this.later = new Map(); // list → the sync that waits
    for (const list of [this.upcoming, this.releasable]) {
      list.addEventListener('pointerenter', () => this.pointerIn.add(list));
      list.addEventListener('pointerleave', () => { this.pointerIn.delete(list); this.resume(list); });
      list.addEventListener('click', () => {
        this.holdUntil.set(list, Date.now() + HOLD_MS);
        setTimeout(() => this.resume(list), HOLD_MS + 50);
      });
    }
    replace(root,
      h('h3', { class: 'subhead' }, t('ui.msel.next')),
      this.notStarted, this.upEmpty, this.upcoming,
      h('h3', { class: 'subhead' }, t('ui.msel.manual')),
      this.relEnded, this.relEmpty, this.releasable,
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

  send(btn, cmd, doneLabel) {
    return pending(btn, () => this.ctx.socket.command(cmd), { socket: this.ctx.socket, doneLabel });
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

  updateUpcoming(list) {
    const { dir, clock } = this.ctx;
    const keys = [];
    const ready = this.status === 'ready' || this.status === 'ended';
    for (const u of list) {
      const key = `${u.inject}|${u.team || ''}`;
      keys.push(key);
      let r = this.upRows.get(key);
      if (!r) {
        const at = h('time', { class: 'up-at' });
        const cd = countdown(u.at, clock);
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
        // release_inject takes the team; skip and delay act on the inject (docs/protocol.md).
        const cmdBase = () => ({ inject: u.inject });
        release.addEventListener('click', async () => {
          const ans = await confirmDialog({
            title: t('ui.msel.release_q', { inject: u.inject }),
            message: t('ui.msel.release_msg', { title: title.textContent || u.inject, to: this.recipients(u), at: fmtTShort(u.at) }),
            okLabel: t('ui.msel.release_now'),
            danger: false,
          });
          if (ans.ok) this.send(release, u.team ? { type: 'release_inject', inject: u.inject, team: u.team } : { type: 'release_inject', inject: u.inject }, t('ui.msel.released'));
        });
        skip.addEventListener('click', async () => {
          const ans = await confirmDialog({ title: t('ui.msel.skip_q', { inject: u.inject }), message: t('ui.msel.skip_msg', { title: title.textContent || u.inject }), okLabel: t('ui.msel.skip_ok'), reason: true });
          if (ans.ok) this.send(skip, { type: 'skip_inject', ...cmdBase(), text: ans.reason || undefined }, t('ui.msel.skipped'));
        });
        d5.addEventListener('click', () => this.send(d5, { type: 'delay_inject', ...cmdBase(), delay: 5 * MIN }, t('ui.msel.delayed')));
        d15.addEventListener('click', () => this.send(d15, { type: 'delay_inject', ...cmdBase(), delay: 15 * MIN }, t('ui.msel.delayed')));
        r = { li, at, cd, title, team, buttons: [release, skip, d5, d15] };
        this.upRows.set(key, r);
      }
      r.at.textContent = fmtTShort(u.at);
      r.cd.dataset.deadline = u.at;
      r.title.textContent = u.title || dir.injectTitle(u.inject) || '';
      r.team.textContent = u.team ? `→ ${dir.teamName(u.team)}` : '';
      for (const b of r.buttons) if (b.dataset.state !== 'pending') b.disabled = ready;
    }
    this.sync(this.upcoming, this.upRows, keys);
    this.upEmpty.hidden = keys.length > 0;
  }

  updateReleasable(list) {
    const { dir } = this.ctx;
    const keys = [];
    for (const u of list) {
      const key = u.inject;
      keys.push(key);
      let r = this.relRows.get(key);
      if (!r) {
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
        release.addEventListener('click', () => {
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
        r = { li, title, buttons: [release, sel] };
        this.relRows.set(key, r);
      }
      r.title.textContent = u.title || dir.injectTitle(u.inject) || '';
      for (const b of r.buttons) if (b.dataset.state !== 'pending') b.disabled = this.status === 'ready' || this.status === 'ended';
    }
    this.sync(this.releasable, this.relRows, keys);
    this.relEmpty.hidden = keys.length > 0;
  }

  /**
   * sync makes list hold rows[keys] in order, touching the DOM only when
   * needed; while the pointer is over the list it only disables the rows
   * that went away, and finishes when the pointer leaves.
   */
  sync(list, rows, keys) {
    const want = new Set(keys);
    if (this.holding(list)) {
      for (const [k, r] of rows) {
        if (!want.has(k)) {
          r.li.classList.add('gone');
          for (const b of r.buttons || []) b.disabled = true;
        }
      }
      this.later.set(list, () => this.sync(list, rows, keys));
      return;
    }
    for (const [k, r] of rows) {
      if (!want.has(k)) { r.li.remove(); rows.delete(k); }
      if (r.li.classList.contains('gone')) {
        r.li.classList.remove('gone');
        for (const b of r.buttons || []) if (b.dataset.state !== 'pending') b.disabled = false;
      }
    }
    let cur = list.firstElementChild;
    for (const k of keys) {
      const li = rows.get(k).li;
      if (cur === li) { cur = cur.nextElementSibling; continue; }
      list.insertBefore(li, cur);
    }
  }

  /** holding reports whether list must not move now. */
  holding(list) {
    return this.pointerIn.has(list) || Date.now() < (this.holdUntil.get(list) || 0);
  }

  /** resume runs the sync that waited for list to be free. */
  resume(list) {
    if (this.holding(list)) return;
    const run = this.later.get(list);
    this.later.delete(list);
    if (run) run();
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
