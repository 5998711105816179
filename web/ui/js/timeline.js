// The live timeline of events, newest first, with optional filters by team
// and by kind of event. Entries are <li data-seq data-type data-kind
// data-event-team data-teams>. The page draws only the newest PAGE entries
// that pass the filters (more on demand); the rest wait in memory, so a
// staff console of a 5,000-person exercise lays out hundreds of entries,
// not thousands. Past the events kept in memory, older ones come from the
// server on demand. While someone reads below the newest entries the list
// holds still and a button says how many newer events wait.
import { h, option, replace, batched, DRAW_EVERY, PointerUse } from './dom.js';
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
  if (d.adhoc && d.adhoc.to) for (const id of d.adhoc.to) out.add(id);
  return [...out];
}

/** itemOf is what a timeline keeps of an event message ({seq, at, event}) or a bare event. */
function itemOf(msg) {
  const ev = msg.event || msg;
  return { ev, seq: ev.seq ?? msg.seq, at: ev.at ?? msg.at ?? 0, kind: kindOf(ev.type), teams: teamsOf(ev) };
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

/** newestFirst sorts events by seq, highest first. */
function newestFirst(items) {
  return items.sort((a, b) => b.seq - a.seq);
}

/** newestDistinct returns the n newest of items, each seq once. */
function newestDistinct(items, n) {
  const out = [];
  for (const item of newestFirst(items)) {
    if (out.length === n) break;
    if (!out.length || out[out.length - 1].seq !== item.seq) out.push(item);
  }
  return out;
}

/** PAGE is how many entries a timeline draws at first, and how many more each "show older" adds. */
export const PAGE = 200;

/** KEPT is how many events a timeline keeps in memory by default; older ones are let go. */
export const KEPT = 5000;

/** LOADED_AT_MOST is how many events the older pages loaded from the server may add to those kept. */
export const LOADED_AT_MOST = 50000;

/**
 * DRAWN_AT_MOST is how many entries a timeline draws at most: each costs
 * the page about 9 KB (its elements, style and layout), so a person paging
 * back through 50,000 loaded events would hold half a gigabyte. Past it,
 * the newest drawn entries go.
 */
export const DRAWN_AT_MOST = 5000;

/** LOAD_PAGE is how many events one request for older ones asks for; LOAD_REQUESTS and LOAD_TIME (ms) bound the requests of one click. */
const LOAD_PAGE = 1000;
const LOAD_REQUESTS = 10;
const LOAD_TIME = 20000;

/** READING is how far (px) below the newest entries a person has scrolled when the list holds still for them. */
const READING = 8;

/**
 * EventWindow keeps a timeline's newest events in memory, newest first,
 * at most max of them, and says which the page draws: the newest
 * `shown` of those a filter passes. It holds no DOM, so it is tested
 * without a browser.
 */
export class EventWindow {
  constructor(max, page = PAGE, loadedAtMost = LOADED_AT_MOST, drawnAtMost = DRAWN_AT_MOST) {
    this.max = max;
    /** base is max before older pages grew it. */
    this.base = max;
    /** drawnAtMost bounds `shown`: the page never draws more entries. */
    this.drawnAtMost = drawnAtMost;
    /** limit is how far max may grow once older pages are loaded (startGrowing). */
    this.limit = max + loadedAtMost;
    this.growing = false;
    this.page = page;
    this.shown = page;
    /** @type {{seq: number}[]} */
    this.items = [];
    /** forgot is true once an event was let go to keep max: the oldest kept is then not the log's first. */
    this.forgot = false;
    /** next is where the server's next older page starts (its `before`), once a page came and nothing was let go since. */
    this.next = undefined;
  }

  /**
   * add merges a batch of items sorted newest first into the kept ones,
   * keeping the max newest; an item whose seq is already kept is
   * skipped. It returns the items it kept, newest first.
   */
  add(batch) {
    const kept = [];
    const merged = [];
    let i = 0;
    for (const item of batch) {
      while (i < this.items.length && this.items[i].seq > item.seq) merged.push(this.items[i++]);
      if (i < this.items.length && this.items[i].seq === item.seq) continue;
      if (merged.length && merged[merged.length - 1].seq === item.seq) continue;
      merged.push(item);
      kept.push(item);
    }
    // The usual batch is newer than everything kept: the loop above then
    // copied nothing, and the old items follow in one go. Once older
    // pages are loaded the window grows rather than let them go, up to
    // its limit.
    if (this.growing) this.max = Math.min(Math.max(this.max, merged.length + this.items.length - i), this.limit);
    for (; i < this.items.length && merged.length < this.max; i++) merged.push(this.items[i]);
    if (i < this.items.length || merged.length > this.max) {
      this.forgot = true;
      this.next = undefined; // the oldest kept moved up: the next page starts below it
    }
    merged.length = Math.min(merged.length, this.max);
    this.items = merged;
    const oldest = merged.length ? merged[merged.length - 1].seq : Infinity;
    return kept.filter((item) => item.seq >= oldest);
  }

  /**
   * addOlder appends a page of older events from the server (newest
   * first, all older than those kept) and keeps them too: max grows by
   * their number. next is the server's next page, 0 when the page
   * reached the first event.
   */
  addOlder(items, next) {
    this.growing = true;
    let below = this.items.length ? this.items[this.items.length - 1].seq : Infinity;
    for (const item of items) {
      if (item.seq >= below) continue;
      if (this.max === this.limit) return; // full: the rest stays on the server
      this.items.push(item);
      below = item.seq;
      this.max++;
    }
    this.next = next;
    if (next === 0) this.forgot = false;
  }

  /** cut lets go of the items older than seq, and of the room pages loaded before took. */
  cut(seq) {
    const i = this.items.findIndex((item) => item.seq < seq);
    if (i >= 0) this.items.length = i;
    // The pages loaded went: the window may load as many again.
    this.max = Math.max(this.base, this.items.length);
    this.forgot = true;
    this.next = undefined;
  }

  /** startGrowing keeps every event from now on, up to the limit: older pages are about to be loaded. */
  startGrowing() {
    this.growing = true;
  }

  /** mayLoad reports whether older events are on the server only and the window may still take some. */
  mayLoad() {
    return this.forgot && this.max < this.limit;
  }

  /** olderStart is the `before` of the server's next older page. */
  olderStart() {
    return this.next ?? (this.items.length ? this.items[this.items.length - 1].seq : 0);
  }

  /** visible returns the items the page draws for a filter: the newest `shown` that pass it. */
  visible(pass) {
    return this.newest(pass, this.shown, Infinity);
  }

  /** newest returns the newest items, at most n, older than seq `below` that pass the filter. */
  newest(pass, n, below) {
    const out = [];
    for (const item of this.items) {
      if (out.length === n) break;
      if (item.seq < below && pass(item)) out.push(item);
    }
    return out;
  }

  /** count counts the items that pass the filter with a seq between lo and hi (both excluded). */
  count(pass, lo, hi) {
    let n = 0;
    for (const item of this.items) if (item.seq > lo && item.seq < hi && pass(item)) n++;
    return n;
  }

  /** more lets the page draw one page more than the `drawn` entries it shows, up to max and drawnAtMost. */
  more(drawn) {
    this.shown = Math.min(drawn + this.page, this.max, this.drawnAtMost);
  }

  /** reset goes back to drawing one page, as after a change of filter. */
  reset() {
    this.shown = this.page;
  }
}

export class Timeline {
  /**
   * @param {HTMLElement} list the <ol> to fill
   * @param {object} opts dir; teamFilter, typeFilter (<select>s to wire, optional); max events kept; page drawn;
   *   drawnAtMost: the most entries drawn at once (DRAWN_AT_MOST);
   *   empty, noneMatch: the empty line's texts before any event and when none passes the filters;
   *   forgotten: (count) => text or nodes, what the end of the list says once the page keeps only the newest count events
   *     and cannot load older ones;
   *   loadOlder: async (before, limit) => ({events, next}), the server's page of events before a seq (api.js loadHistory);
   *   announce: (text) => void, tells screen readers what the button's text alone may not (page.js announce)
   */
  constructor(list, {
    dir, teamFilter, typeFilter, max = KEPT, page = PAGE, loadedAtMost = LOADED_AT_MOST, drawnAtMost = DRAWN_AT_MOST, loadOlder = null, announce = () => {},
    empty = t('ui.timeline.empty'), noneMatch = t('ui.timeline.none_match'), forgotten = (count) => t('ui.timeline.forgotten', { count }),
  } = {}) {
    this.list = list;
    this.dir = dir;
    this.teamFilter = teamFilter;
    this.typeFilter = typeFilter;
    this.window = new EventWindow(max, page, loadedAtMost, drawnAtMost);
    /** kept is how many events the window keeps before older pages are loaded, and the most a background tab's queue keeps. */
    this.kept = max;
    this.loadOlder = loadOlder;
    this.announce = announce;
    this.loading = false;
    this.loadFailed = false;
    this.emptyText = empty;
    this.noneMatchText = noneMatch;
    this.emptyEl = h('li', { class: 'tl-empty muted' }, empty);
    this.list.appendChild(this.emptyEl);
    // The older events kept in memory are drawn on demand.
    this.olderButton = h('button', { type: 'button', class: 'btn btn-small tl-older', hidden: true });
    this.olderButton.addEventListener('click', () => this.showOlder());
    this.list.after(this.olderButton);
    // Past the oldest kept event, a line says where the earlier ones are.
    this.forgotten = forgotten;
    this.forgottenEl = h('p', { class: 'tl-forgotten muted', hidden: true });
    this.olderButton.after(this.forgottenEl);
    // While the person reads below the newest entries the list holds
    // still, and this button says how many newer events wait.
    this.held = false;
    // Once the newest drawn entries went to keep drawnAtMost (bound), the
    // list holds still wherever the person scrolls, until they go back to
    // the newest.
    this.shifted = false;
    // renders counts the lists drawn anew (render): a load that ends after one leaves that list alone.
    this.renders = 0;
    this.newerButton = h('button', { type: 'button', class: 'btn btn-small tl-newer', hidden: true });
    this.newerButton.addEventListener('click', () => this.showNewer());
    this.list.before(this.newerButton);
    this.list.addEventListener('scroll', () => { if (this.held && !this.reading()) this.draw(); });
    // A press on the list holds it still until just after the release
    // (see PointerUse; not the pointer over it, which rests there while
    // the person watches the newest entries come, nor a press elsewhere,
    // which would hold back the entry a click on Send makes), so that an
    // entry drawn above cannot move "Show full" from under the pointer
    // between the press and the click (a browser that does not focus a
    // clicked button gives no other sign that someone is using the list).
    // After it: back at the newest, the list draws what came; still
    // reading below, the newer button shows how many did.
    this.pointerUse = new PointerUse(this.list, () => {
      // Not held: the buttons the press kept still may be stale (the newer one after showNewer).
      if (!this.held || this.reading()) this.finish(this.filter());
      else this.draw();
    }, { hover: false, pressAnywhere: false });
    // The seqs of the entries whose full text the person opened: they stay
    // open when the list is drawn anew (a filter, back to the newest).
    this.opened = new Set();
    this.list.addEventListener('focusout', (e) => {
      if (this.held && !this.list.contains(e.relatedTarget)) setTimeout(() => { if (this.held && !this.reading()) this.draw(); });
    });
    // Events not yet drawn, newest first once sorted; never more than 2 × max.
    this.waiting = [];
    this.drawSoon = batched(() => this.draw(), DRAW_EVERY);
    if (teamFilter) {
      teamFilter.appendChild(option('', t('ui.timeline.all_teams')));
      for (const team of dir.teamList()) teamFilter.appendChild(option(team.id, team.name || team.id));
      teamFilter.addEventListener('change', () => this.applyFilter());
    }
    if (typeFilter) {
      for (const v of KINDS) typeFilter.appendChild(option(v, t(`ui.timeline.kind.${v || 'all'}`)));
      typeFilter.addEventListener('change', () => this.applyFilter());
    }
  }

  /** add takes an event message ({seq, at, event}) or a bare event, to draw within DRAW_EVERY. */
  add(msg) {
    this.waiting.push(itemOf(msg));
    // A page in a background tab draws seldom: keep only what it can show.
    if (this.waiting.length >= 2 * this.kept) {
      const kept = newestDistinct(this.waiting, this.kept);
      // Events went between the kept ones and those in the window: let
      // the window's older ones go too, or the list would have a gap.
      if (new Set(this.waiting.map((item) => item.seq)).size > kept.length) this.window.cut(kept[kept.length - 1].seq);
      this.waiting = kept;
    }
    this.drawSoon();
  }

  /** keep moves the waiting events into the window and returns those it kept, newest first. */
  keep() {
    if (!this.waiting.length) return [];
    const batch = newestFirst(this.waiting);
    this.waiting = [];
    return this.window.add(batch);
  }

  /** draw adds the entries of the waiting events the window shows, newest first. */
  draw() {
    const pass = this.filter();
    const kept = this.keep();
    if (this.reading() || this.shifted) {
      this.held = true;
      this.finish(pass);
      return;
    }
    if (this.held) {
      // Back at the newest: draw what came meanwhile.
      this.held = false;
      this.render();
      return;
    }
    // Only the newest `shown` of a batch can be among the drawn entries.
    const batch = kept.filter(pass).slice(0, this.window.shown);
    this.dropForgotten();
    if (batch.length) {
      this.emptyEl.remove();
      // Each entry goes before the first with a lower seq; the batch is
      // newest first, so that place only moves down the list. An entry
      // older than every drawn one when the page is full is left in memory.
      let drawn = this.drawnCount();
      let before = this.list.firstElementChild;
      for (const item of batch) {
        while (before && Number(before.dataset.seq) > item.seq) before = before.nextElementSibling;
        if (!before && drawn >= this.window.shown) break;
        this.list.insertBefore(this.entry(item), before);
        drawn++;
      }
      // Counted once: a live count of hundreds of children costs a walk
      // of the list after every removal.
      for (let n = drawn - this.window.shown; n > 0; n--) this.list.lastElementChild.remove();
    }
    this.finish(pass);
  }

  /**
   * dropForgotten removes the entries of events the window no longer
   * keeps: with a rare filter they can be the only ones drawn.
   */
  dropForgotten() {
    const items = this.window.items;
    if (!items.length) return;
    const oldest = items[items.length - 1].seq;
    for (let li = this.list.lastElementChild; li && li.dataset.seq && Number(li.dataset.seq) < oldest; li = this.list.lastElementChild) li.remove();
  }

  /**
   * reading reports whether the person is reading below the newest
   * entries: scrolled down, or with the keyboard on an entry; or pressing
   * (see PointerUse), when nothing may move.
   */
  reading() {
    const focus = document.activeElement;
    return this.pointerUse.pressing() || this.list.scrollTop > READING || (focus !== this.list && this.list.contains(focus));
  }

  /** drawnCount is the number of entries in the list. */
  drawnCount() {
    return this.list.childElementCount - (this.emptyEl.isConnected ? 1 : 0);
  }

  /** render draws the list anew from memory, as after a change of filter. */
  render() {
    const pass = this.filter();
    this.keep();
    this.held = false;
    this.shifted = false;
    this.renders++;
    this.list.replaceChildren(...this.window.visible(pass).map((item) => this.entry(item)));
    this.finish(pass);
  }

  /**
   * showOlder draws a page of the kept entries older than the drawn ones
   * after them, first loading older events from the server when none is
   * kept.
   */
  async showOlder() {
    if (this.loading) return;
    this.draw();
    if (this.loadOlder && this.window.count(this.filter(), -Infinity, this.bottomSeq()) === 0 && this.window.mayLoad()) {
      const renders = this.renders;
      await this.load();
      // The person went back to the newest, or changed a filter, while it
      // loaded: that list stands; only a list shorter than it may be grows
      // at its bottom (the page drawn for a filter that none passed yet).
      if (this.renders !== renders) {
        const pass = this.filter();
        const room = Math.max(0, this.window.shown - this.drawnCount());
        this.list.append(...this.window.newest(pass, room, this.bottomSeq()).map((item) => this.entry(item)));
        this.finish(pass);
        return;
      }
    }
    const pass = this.filter();
    this.window.more(this.drawnCount());
    this.list.append(...this.window.newest(pass, this.window.page, this.bottomSeq()).map((item) => this.entry(item)));
    if (!this.bound(pass)) this.finish(pass);
  }

  /**
   * bound lets the newest drawn entries go while more than drawnAtMost
   * are drawn, keeping the entries below them where the person sees
   * them; the list then holds still, and the newer button leads back to
   * the newest. It reports whether it did, having then drawn the buttons
   * for the filter pass (finish).
   */
  bound(pass) {
    let excess = this.drawnCount() - this.window.drawnAtMost;
    if (excess <= 0) return false;
    const anchor = this.list.lastElementChild;
    const top = anchor.getBoundingClientRect().top;
    const focus = document.activeElement;
    for (; excess > 0; excess--) this.list.firstElementChild.remove();
    this.shifted = true;
    this.held = true;
    // The newer button now shows above the list: measure with it.
    this.finish(pass);
    this.list.scrollTop = Math.max(0, this.list.scrollTop + anchor.getBoundingClientRect().top - top);
    // The keyboard was on an entry that went: keep it in the list.
    if (focus && !focus.isConnected) this.list.focus({ preventScroll: true });
    return true;
  }

  /**
   * load asks the server for older events, a page at a time, until a
   * page's worth below the drawn entries passes the filters, the first
   * event came, the window is full, or LOAD_REQUESTS requests were made
   * or LOAD_TIME has passed (a server asking it to slow down answers late).
   */
  async load() {
    this.loading = true;
    this.loadFailed = false;
    this.finish(this.filter());
    // Kept from now on: new events must not push out the pages loaded.
    this.window.startGrowing();
    try {
      const until = Date.now() + LOAD_TIME;
      for (let n = 0; n < LOAD_REQUESTS && this.window.mayLoad() && Date.now() < until; n++) {
        const before = this.window.olderStart();
        if (!before) break; // a background tab's trim emptied the window: its next draw starts again
        const { events, next } = await this.loadOlder(before, LOAD_PAGE);
        // The window let events go meanwhile (at its limit): ask again below its new end.
        if (this.window.olderStart() !== before) continue;
        this.window.addOlder((events || []).map(itemOf), next);
        if (this.window.count(this.filter(), -Infinity, this.bottomSeq()) >= this.window.page) break;
      }
    } catch {
      this.loadFailed = true;
      this.announce(t('ui.timeline.load_failed'));
    } finally {
      this.loading = false;
    }
  }

  /** showNewer goes back to the newest entries, drawing what came while the list held still. */
  showNewer() {
    this.list.scrollTop = 0;
    this.held = false;
    // Past the bound, back to one page: not 5,000 entries drawn at once.
    if (this.shifted) this.window.reset();
    this.render();
    this.list.focus();
  }

  /** topSeq and bottomSeq are the seqs of the first and last drawn entries (±Infinity when none). */
  topSeq() {
    const li = this.list.firstElementChild;
    return li && li.dataset.seq ? Number(li.dataset.seq) : -Infinity;
  }

  bottomSeq() {
    const li = this.list.lastElementChild;
    return li && li.dataset.seq ? Number(li.dataset.seq) : Infinity;
  }

  /** finish shows the empty line or the older button as the list drawn for the filter pass needs. */
  finish(pass) {
    const drawn = this.drawnCount();
    if (drawn && this.emptyEl.isConnected) this.emptyEl.remove();
    if (!drawn) {
      this.emptyEl.textContent = this.window.items.length ? this.noneMatchText : this.emptyText;
      if (!this.emptyEl.isConnected) this.list.appendChild(this.emptyEl);
    }
    const older = this.window.count(pass, -Infinity, this.bottomSeq());
    const newer = this.held ? this.window.count(pass, this.topSeq(), Infinity) : 0;
    // With none kept, older events may come from the server.
    const loadable = !older && this.loadOlder !== null && this.window.mayLoad() ? 1 : 0;
    this.forgottenEl.hidden = !this.window.forgot || older > 0 || loadable > 0;
    if (!this.forgottenEl.hidden && this.forgottenEl.dataset.count !== String(this.window.max)) {
      this.forgottenEl.dataset.count = String(this.window.max);
      replace(this.forgottenEl, this.forgotten(this.window.max));
    }
    // A button goes when nothing is left to show: keep the keyboard in the
    // list, or on the link to the earlier events that shows instead.
    for (const [button, left] of [[this.olderButton, older + loadable], [this.newerButton, newer]]) {
      // The newer button sits above the list: shown during a press, it
      // would move the entry pressed. It comes with the release.
      if (this.pointerUse.pressing() && button === this.newerButton) continue;
      if (!left && document.activeElement === button) {
        const link = button === this.olderButton && !this.forgottenEl.hidden && this.forgottenEl.querySelector('a');
        (link || this.list).focus();
      }
      button.hidden = left === 0;
    }
    if (this.loading) this.olderButton.textContent = t('ui.timeline.loading_older');
    else if (older) this.olderButton.textContent = t('ui.timeline.older', { count: Math.min(older, this.window.page) });
    else if (loadable) this.olderButton.textContent = t(this.loadFailed ? 'ui.timeline.load_failed' : 'ui.timeline.load_older');
    // Not disabled while loading: a disabled button would drop the keyboard's focus.
    this.olderButton.setAttribute('aria-disabled', String(this.loading));
    if (newer) this.newerButton.textContent = t('ui.timeline.newer', { count: newer });
  }

  /** entry builds the <li> of a kept event. */
  entry({ ev, seq, at, kind, teams }) {
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
      const detail = h('p', { class: 'tl-detail', id }, full);
      const more = h('button', { type: 'button', class: 'tl-more', 'aria-controls': id });
      const show = (open) => {
        detail.hidden = !open;
        more.setAttribute('aria-expanded', String(open));
        more.textContent = open ? t('ui.timeline.hide_full') : t('ui.timeline.show_full');
      };
      show(this.opened.has(seq));
      more.addEventListener('click', () => {
        const open = detail.hidden;
        if (open) this.opened.add(seq);
        else this.opened.delete(seq);
        show(open);
      });
      li.append(more, detail);
    }
    return li;
  }

  /**
   * filter returns the test of the team and type filters as they are set
   * now: an event passes when it is of the kind and concerns the team (or
   * no team in particular, as the exercise's own events).
   */
  filter() {
    const team = this.teamFilter ? this.teamFilter.value : '';
    const kind = this.typeFilter ? this.typeFilter.value : '';
    return (item) => (!kind || item.kind === kind) && (!team || !item.teams.length || item.teams.includes(team));
  }

  /** applyFilter draws the list again for the filters' new values. */
  applyFilter() {
    this.window.reset();
    this.render();
  }
}
