// The live timeline of events, newest first, with optional filters by team
// and by kind of event. Entries are <li data-seq data-type data-team data-kind>.
import { h, option, batched, DRAW_EVERY } from './dom.js';
import { eventText, fmtTShort, fmtT, kindOf } from './format.js';
import { t } from './i18n.js';

/** KINDS are the timeline's kinds of event, as the type filter offers them. */
export const KINDS = ['', 'inject', 'action', 'met', 'missed', 'incident', 'control', 'note'];

/** teamsOf lists the teams an event concerns (for the team filter). */
function teamsOf(ev) {
  const d = ev.data || {};
  const out = new Set();
  if (ev.team) out.add(ev.team);
  for (const p of d.peers || []) out.add(p);
  if (d.target) out.add(d.target);
  if (d.adhoc && d.adhoc.to) for (const t of d.adhoc.to) out.add(t);
  return [...out];
}

/** CLIPPED is the longest action text a timeline line shows whole (format.js clips it at 80, other texts at 60). */
const CLIPPED = 80;

/** fullText returns an event's text when the timeline line clips it, else "". */
function fullText(ev) {
  const d = ev.data || {};
  const text = ev.type === 'inject.sent' && d.adhoc ? d.adhoc.body : d.text;
  if (!text) return '';
  const limit = { 'evaluator.note': 120, 'inject.sent': 0, 'team.action': CLIPPED }[ev.type] ?? 60;
  return text.length > limit ? text : '';
}

/** newestFirst sorts waiting events by seq, highest first. */
function newestFirst(items) {
  return items.sort((a, b) => b.seq - a.seq);
}

export class Timeline {
  /**
   * @param {HTMLElement} list the <ol> to fill
   * @param {object} opts dir; teamFilter, typeFilter (<select>s to wire, optional); max entries
   */
  constructor(list, { dir, teamFilter, typeFilter, max = 5000, empty = t('ui.timeline.empty') } = {}) {
    this.list = list;
    this.dir = dir;
    this.max = max;
    this.teamFilter = teamFilter;
    this.typeFilter = typeFilter;
    this.emptyEl = h('li', { class: 'tl-empty muted' }, empty);
    this.list.appendChild(this.emptyEl);
    // Events not yet drawn, as {ev, seq, at}; never more than 2 × max.
    this.waiting = [];
    this.drawSoon = batched(() => this.draw(), DRAW_EVERY);
    if (teamFilter) {
      teamFilter.appendChild(option('', t('ui.timeline.all_teams')));
      for (const t of dir.teamList()) teamFilter.appendChild(option(t.id, t.name || t.id));
      teamFilter.addEventListener('change', () => this.applyFilter());
    }
    if (typeFilter) {
      for (const v of KINDS) typeFilter.appendChild(option(v, t(`ui.timeline.kind.${v || 'all'}`)));
      typeFilter.addEventListener('change', () => this.applyFilter());
    }
  }

  /** add takes an event message ({seq, at, event}) or a bare event, to draw within DRAW_EVERY. */
  add(msg) {
    const ev = msg.event || msg;
    this.waiting.push({ ev, seq: ev.seq ?? msg.seq, at: ev.at ?? msg.at ?? 0 });
    // A page in a background tab draws seldom: keep only what it can show.
    if (this.waiting.length >= 2 * this.max) this.waiting = newestFirst(this.waiting).slice(0, this.max);
    this.drawSoon();
  }

  /** draw adds the waiting events' entries, newest first, keeping at most max. */
  draw() {
    const batch = newestFirst(this.waiting).slice(0, this.max);
    this.waiting = [];
    if (!batch.length) return;
    this.emptyEl.remove();
    // Each entry goes before the first with a lower seq; the batch is
    // newest first, so that place only moves down the list.
    let before = this.list.firstElementChild;
    for (const { ev, seq, at } of batch) {
      while (before && Number(before.dataset.seq) > seq) before = before.nextElementSibling;
      this.list.insertBefore(this.entry(ev, seq, at), before);
    }
    // Counted once: a live count of thousands of children costs a walk
    // of the list after every removal.
    for (let n = this.list.childElementCount - this.max; n > 0; n--) this.list.lastElementChild.remove();
  }

  /** entry builds the <li> of an event. */
  entry(ev, seq, at) {
    const kind = kindOf(ev.type);
    const teams = teamsOf(ev);
    const li = h('li', {
      class: ['tl-item', `kind-${kind}`],
      dataset: { seq, type: ev.type, kind, eventTeam: ev.team || '', teams: teams.join(' ') },
    },
    h('time', { class: 'tl-time', title: fmtT(at) }, fmtTShort(at)),
    h('span', { class: 'tl-text' }, eventText(ev, this.dir)));
    const full = fullText(ev);
    // Notes are read in full: the line clips long text, so add it below.
    if (ev.type === 'evaluator.note' && full) {
      li.appendChild(h('p', { class: 'tl-detail' }, full));
    } else if (full) {
      // Other long texts (a team's report, a share) open on demand.
      const id = `tl-full-${seq}`;
      const detail = h('p', { class: 'tl-detail', id, hidden: true }, full);
      const more = h('button', { type: 'button', class: 'tl-more', 'aria-expanded': 'false', 'aria-controls': id }, t('ui.timeline.show_full'));
      more.addEventListener('click', () => {
        const open = detail.hidden;
        detail.hidden = !open;
        more.setAttribute('aria-expanded', String(open));
        more.textContent = open ? t('ui.timeline.hide_full') : t('ui.timeline.show_full');
      });
      li.append(more, detail);
    }
    li.hidden = !this.matches(li);
    return li;
  }

  matches(li) {
    const team = this.teamFilter ? this.teamFilter.value : '';
    const kind = this.typeFilter ? this.typeFilter.value : '';
    if (kind && li.dataset.kind !== kind) return false;
    if (team && li.dataset.teams && !li.dataset.teams.split(' ').includes(team)) return false;
    return true;
  }

  applyFilter() {
    for (const li of this.list.children) if (li.dataset.seq) li.hidden = !this.matches(li);
  }
}
