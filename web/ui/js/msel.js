// The facilitator's MSEL panel: the next scheduled injects (status.upcoming)
// with Release / Skip / Delay, the injects waiting for a manual release
// (status.releasable), and the full MSEL (GET /api/exercises/{id} msel).
import { h, option, replace } from './dom.js';
import { fmtTShort, MIN, severityBadge, channelLabel } from './format.js';
import { countdown } from './countdown.js';
import { pending } from './page.js';
import { confirmDialog } from './dialog.js';

export class MselPanel {
  constructor(root, ctx) {
    this.ctx = ctx;
    this.upRows = new Map();
    this.relRows = new Map();
    this.delivered = new Map(); // inject → Set(team)
    this.upcoming = h('ol', { id: 'upcoming', class: 'msel-list' });
    this.releasable = h('ul', { id: 'releasable', class: 'msel-list' });
    this.upEmpty = h('p', { class: 'muted' }, 'No scheduled injects ahead.');
    this.relEmpty = h('p', { class: 'muted' }, 'No injects wait for a manual release.');
    this.full = this.buildFull();
    replace(root,
      h('h3', { class: 'subhead' }, 'Next scheduled'),
      this.upEmpty, this.upcoming,
      h('h3', { class: 'subhead' }, 'Manual release'),
      this.relEmpty, this.releasable,
      this.full);
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
    this.updateUpcoming(st.upcoming || []);
    this.updateReleasable(st.releasable || []);
  }

  updateUpcoming(list) {
    const { dir, clock } = this.ctx;
    const keys = [];
    for (const u of list) {
      const key = `${u.inject}|${u.team || ''}`;
      keys.push(key);
      let r = this.upRows.get(key);
      if (!r) {
        const at = h('time', { class: 'up-at' });
        const cd = countdown(u.at, clock);
        const title = h('span', { class: 'up-title' });
        const team = h('span', { class: 'up-team' });
        const release = h('button', { type: 'button', class: 'btn btn-small btn-primary', dataset: { cmd: 'release' } }, 'Release now');
        const skip = h('button', { type: 'button', class: 'btn btn-small', dataset: { cmd: 'skip' } }, 'Skip');
        const d5 = h('button', { type: 'button', class: 'btn btn-small', dataset: { cmd: 'delay5' }, 'aria-label': `Delay ${u.inject} by 5 minutes` }, '+5 min');
        const d15 = h('button', { type: 'button', class: 'btn btn-small', dataset: { cmd: 'delay15' }, 'aria-label': `Delay ${u.inject} by 15 minutes` }, '+15 min');
        const li = h('li', { class: 'msel-item', dataset: { upcoming: u.inject, upcomingTeam: u.team || '' } },
          h('div', { class: 'msel-when' }, at, cd),
          h('div', { class: 'msel-what' }, h('span', { class: 'inject-id' }, u.inject), ' ', title, team),
          h('div', { class: 'msel-buttons' }, release, skip, d5, d15));
        // release_inject takes the team; skip and delay act on the inject (docs/protocol.md).
        const cmdBase = () => ({ inject: u.inject });
        release.addEventListener('click', () => this.send(release, u.team ? { type: 'release_inject', inject: u.inject, team: u.team } : { type: 'release_inject', inject: u.inject }, 'Released'));
        skip.addEventListener('click', async () => {
          const ans = await confirmDialog({ title: `Skip ${u.inject}?`, message: `${u.title || u.inject} will not be delivered (to any team it is addressed to).`, okLabel: 'Skip inject', reason: true });
          if (ans.ok) this.send(skip, { type: 'skip_inject', ...cmdBase(), text: ans.reason || undefined }, 'Skipped');
        });
        d5.addEventListener('click', () => this.send(d5, { type: 'delay_inject', ...cmdBase(), delay: 5 * MIN }, 'Delayed'));
        d15.addEventListener('click', () => this.send(d15, { type: 'delay_inject', ...cmdBase(), delay: 15 * MIN }, 'Delayed'));
        r = { li, at, cd, title, team };
        this.upRows.set(key, r);
      }
      r.at.textContent = fmtTShort(u.at);
      r.cd.dataset.deadline = u.at;
      r.title.textContent = u.title || dir.injectTitle(u.inject) || '';
      r.team.textContent = u.team ? `→ ${dir.teamName(u.team)}` : '';
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
        const needs = this.needsTeam(u.inject);
        const selId = `release-team-${u.inject.replace(/[^\w-]/g, '_')}`;
        const sel = h('select', { id: selId, class: 'release-team' },
          option('', needs ? 'Choose a team…' : 'Addressed teams'),
          dir.teamList().map((t) => option(t.id, t.name || t.id)));
        const release = h('button', { type: 'button', class: 'btn btn-small btn-primary', dataset: { cmd: 'release' } }, 'Release');
        const title = h('span', { class: 'up-title' });
        const li = h('li', { class: 'msel-item', dataset: { releasable: u.inject } },
          h('div', { class: 'msel-what' }, h('span', { class: 'inject-id' }, u.inject), ' ', title),
          h('div', { class: 'msel-buttons' },
            h('label', { for: selId, class: 'sr-only' }, `Team for ${u.inject}`), sel, release));
        release.addEventListener('click', () => {
          if (needs && !sel.value) {
            sel.focus();
            sel.classList.add('invalid');
            return;
          }
          sel.classList.remove('invalid');
          const cmd = { type: 'release_inject', inject: u.inject };
          if (sel.value) cmd.team = sel.value;
          this.send(release, cmd, 'Released');
        });
        r = { li, title };
        this.relRows.set(key, r);
      }
      r.title.textContent = u.title || dir.injectTitle(u.inject) || '';
    }
    this.sync(this.releasable, this.relRows, keys);
    this.relEmpty.hidden = keys.length > 0;
  }

  /** sync makes list hold rows[keys] in order, touching the DOM only when needed. */
  sync(list, rows, keys) {
    const want = new Set(keys);
    for (const [k, r] of rows) {
      if (!want.has(k)) { r.li.remove(); rows.delete(k); }
    }
    let cur = list.firstElementChild;
    for (const k of keys) {
      const li = rows.get(k).li;
      if (cur === li) { cur = cur.nextElementSibling; continue; }
      list.insertBefore(li, cur);
    }
  }

  buildFull() {
    const msel = this.ctx.exercise.msel || [];
    this.fullRows = new Map();
    const tbody = h('tbody');
    for (const m of msel) {
      const status = h('td', { class: 'msel-status' });
      const tr = h('tr', { dataset: { msel: m.id } },
        h('td', { class: 'inject-id' }, m.id),
        h('td', { class: 'nowrap' }, typeof m.at === 'number' ? fmtTShort(m.at) : (m.trigger || '—')),
        h('td', null, m.title || ''),
        h('td', null, Array.isArray(m.to) ? m.to.map((t) => this.ctx.dir.anyName(t)).join(', ') : (m.to || '')),
        h('td', null, channelLabel(m.channel)),
        h('td', null, severityBadge(m.severity)),
        status);
      this.fullRows.set(m.id, status);
      tbody.appendChild(tr);
    }
    return h('details', { class: 'msel-full' },
      h('summary', null, `Full MSEL (${msel.length} injects)`),
      h('div', { class: 'table-scroll' },
        h('table', { class: 'grid compact', id: 'msel-table' },
          h('thead', null, h('tr', null, ['Id', 'When', 'Title', 'To', 'Channel', 'Severity', 'Delivered'].map((c) => h('th', { scope: 'col' }, c)))),
          tbody)));
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
      cell.textContent = `✓ ${[...this.delivered.get(d.inject)].map((t) => this.ctx.dir.teamName(t)).join(', ')}`;
    } else if (ev.type === 'inject.skipped') {
      cell.textContent = 'skipped';
    }
  }
}
