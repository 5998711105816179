// The team console's Messages panel: threads of messages, requests for
// information, replies and forwards between the team and its peer CSIRTs
// (events `message.sent`, commands `message`, `reply`, `forward` and
// `request_info`; see docs/protocol.md, "Messages between teams").
//
// The panel builds its own section at the top of the console's side column
// and listens to the exercise socket itself: trainee.js only mounts it
// (mountMessages). Every text goes through t() (keys ui.messages.*).
//
// Test hooks: #messages (data-unread), #msg-threads li > button.thread-item
// [data-thread][data-unread][data-kind], #msg-thread-messages li.msg
// [data-seq][data-from][data-kind], forms #msg-compose, #msg-reply-form,
// #msg-forward-form with their submit buttons #msg-send, #msg-reply-submit,
// #msg-forward-submit (data-state pending/done/error) and TLP warnings
// #msg-tlp-warning, #msg-reply-tlp-warning, #msg-forward-tlp-warning.
import { h, append, option, replace, placeInOrder, uid } from './dom.js';
import { announce, pending } from './page.js';
import { fmtTShort, tlpBadge, tlpLabel, TLP_LEVELS, normTLP, reasonText } from './format.js';
import { renderMarkdown } from './markdown.js';
import { i18n, t } from './i18n.js';

/* ---------- pure functions (web/ui/_test/messages.test.mjs) ---------- */

/** messageOf turns a `message.sent` event into a message record, or null for any other event. */
export function messageOf(ev) {
  if (!ev || ev.type !== 'message.sent') return null;
  const d = ev.data || {};
  return {
    seq: ev.seq,
    at: ev.at ?? 0,
    actor: ev.actor || '',
    kind: d.kind || 'message',
    thread: d.thread || ev.seq,
    replyTo: d.reply_to || 0,
    from: d.from || ev.team || '',
    peers: d.peers || [],
    target: d.target || '',
    tlp: normTLP(d.tlp),
    text: d.text || '',
    inject: d.inject || '',
    indicators: d.indicators || [],
    reason: d.reason || '',
    reasonCode: d.reason_code || '',
    reasonArgs: d.reason_args || {},
  };
}

/** tlpRank orders TLP levels from the most open (0, CLEAR) to the most restrictive (RED); -1 for none. */
export function tlpRank(level) {
  return TLP_LEVELS.indexOf(normTLP(level));
}

/** tlpMoreOpen reports whether level is more open (shared more widely) than marking. */
export function tlpMoreOpen(level, marking) {
  const a = tlpRank(level);
  const b = tlpRank(marking);
  return a >= 0 && b >= 0 && a < b;
}

/**
 * groupThreads groups message records into threads, newest activity first.
 * A thread has its id, its messages in order, its kind and subject inject
 * (those of its first message, or the first inject any message names), the
 * most restrictive TLP it carries, the parties in it and its last activity.
 */
export function groupThreads(messages) {
  const byId = new Map();
  for (const m of messages) {
    if (!byId.has(m.thread)) byId.set(m.thread, []);
    byId.get(m.thread).push(m);
  }
  const threads = [];
  for (const [id, list] of byId) {
    list.sort((a, b) => a.seq - b.seq);
    const first = list[0];
    const last = list[list.length - 1];
    const parties = new Set();
    let tlp = '';
    for (const m of list) {
      for (const p of [m.from, ...m.peers, m.target]) if (p) parties.add(p);
      if (tlpRank(m.tlp) > tlpRank(tlp)) tlp = m.tlp;
    }
    threads.push({
      id,
      messages: list,
      kind: first.kind,
      rfi: list.some((m) => m.kind === 'rfi'),
      inject: first.inject || (list.find((m) => m.inject) || {}).inject || '',
      tlp,
      parties: [...parties],
      lastSeq: last.seq,
      lastAt: last.at,
    });
  }
  return threads.sort((a, b) => b.lastSeq - a.lastSeq);
}

/** unreadIn counts the messages of thread, written by others, after the seq the team read up to. */
export function unreadIn(thread, team, readUpTo = 0) {
  return thread.messages.filter((m) => m.from !== team && m.seq > readUpTo).length;
}

/** totalUnread counts the unread messages of every thread; read maps a thread id to the seq read up to. */
export function totalUnread(threads, team, read = {}) {
  return threads.reduce((n, th) => n + unreadIn(th, team, read[th.id] || 0), 0);
}

/**
 * allowedLevels returns, most open first, the TLP levels the links with
 * every chosen peer allow; with no peer chosen, those any peer allows.
 * peers: [{team, tlp: [levels]}] as GET /api/exercises/{id} lists them.
 */
export function allowedLevels(peers, chosen) {
  const levels = (p) => (p.tlp || []).map(normTLP);
  const picked = peers.filter((p) => chosen.includes(p.team));
  if (!picked.length) {
    const any = new Set(peers.flatMap(levels));
    return TLP_LEVELS.filter((l) => any.has(l));
  }
  return TLP_LEVELS.filter((l) => picked.every((p) => levels(p).includes(l)));
}

/** defaultLevel picks the marking when the links allow it, else the most restrictive allowed level. */
export function defaultLevel(allowed, marking) {
  const m = normTLP(marking);
  if (m && allowed.includes(m)) return m;
  return allowed[allowed.length - 1] || '';
}

/** parseIndicators splits an indicators text box into its non-empty lines. */
export function parseIndicators(text) {
  return String(text || '').split('\n').map((s) => s.trim()).filter(Boolean);
}

/**
 * replyTarget returns the message of thread a reply answers (the latest
 * one written by another party, else the latest) and who the reply goes
 * to by default, as the engine decides: the sender of that message (a team
 * in `teams`, or an actor in `actor`), or, when the team wrote it, the
 * others it went to.
 */
export function replyTarget(thread, team, isTeam) {
  const list = thread.messages;
  const msg = [...list].reverse().find((m) => m.from !== team) || list[list.length - 1];
  if (msg.from !== team) return isTeam(msg.from) ? { msg, teams: [msg.from], actor: '' } : { msg, teams: [], actor: msg.from };
  const firstActor = list.find((m) => m.from !== team && !isTeam(m.from));
  return { msg, teams: msg.peers.filter((p) => p !== team), actor: msg.peers.length ? '' : (msg.target || (firstActor ? firstActor.from : '')) };
}

/* ---------- the panel ---------- */

const VIEWS = ['list', 'thread', 'compose'];

/** setText sets el's text when it differs, so that an unchanged part is left alone. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** patchLike makes el look like model (class, title, text) without replacing el. */
function patchLike(el, model) {
  if (el.className !== model.className) el.className = model.className;
  const title = model.getAttribute('title') || '';
  if ((el.getAttribute('title') || '') !== title) el.setAttribute('title', title);
  setText(el, model.textContent);
}

/** readStore keeps, per exercise and team, the seq each thread has been read up to. */
function readStore(key) {
  return {
    load() { try { return JSON.parse(localStorage.getItem(key) || '{}') || {}; } catch { return {}; } },
    save(v) { try { localStorage.setItem(key, JSON.stringify(v)); } catch { /* private mode */ } },
  };
}

/** MessagesPanel is the Messages section of the team console. */
export class MessagesPanel {
  constructor(ctx, host) {
    this.ctx = ctx;
    this.team = ctx.you.team;
    this.peers = ctx.exercise.peers || [];
    this.messages = new Map(); // seq → message record
    this.injects = new Map(); // id → inject content as delivered to the team
    this.store = readStore(`cmesim:msgread:${ctx.session.exercise}:${this.team}`);
    this.read = this.store.load();
    this.view = 'list';
    this.openThread = null;
    this.composeMode = 'message';
    this.live = false;
    this.ended = false;
    this.root = h('section', { id: 'messages', class: 'panel messages-panel', 'aria-labelledby': 'messages-h' });
    host.insertBefore(this.root, host.firstChild);
    this.render();
    ctx.socket.on('event', (m) => this.onEvent(m));
    ctx.socket.on('caught_up', () => { this.live = true; });
    ctx.socket.on('status', (m) => this.onStatus((m && m.status) || {}));
    i18n.onChange(() => this.render());
  }

  /* ---------- data ---------- */

  isTeam(id) { return this.ctx.dir.teams.has(id); }

  onEvent(m) {
    const ev = m.event || {};
    if (ev.type === 'inject.delivered' && m.inject && m.inject.id && (!ev.team || ev.team === this.team)) {
      this.injects.set(m.inject.id, { ...m.inject, tlp: m.inject.tlp || (ev.data || {}).tlp });
      if (this.view === 'compose') this.fillSubjects();
      return;
    }
    const msg = messageOf(ev);
    if (!msg || this.messages.has(msg.seq)) return;
    this.messages.set(msg.seq, msg);
    if (this.view === 'thread' && this.openThread === msg.thread) this.markRead(msg.thread, msg.seq);
    this.renderCounts();
    if (this.view === 'list') this.renderList();
    else if (this.view === 'thread' && this.openThread === msg.thread) this.appendToThread(msg);
    if (this.live && msg.from !== this.team) {
      announce(t(msg.kind === 'rfi' ? 'ui.messages.announce.rfi' : 'ui.messages.announce.new', { from: this.name(msg.from) }));
    }
  }

  /**
   * onStatus enables the buttons that need a running exercise, about once a
   * second. A button that is sending (pending() disabled it) stays disabled
   * until its command is answered, or a second click would send twice; and
   * Forward stays disabled on a message marked TLP:RED.
   */
  onStatus(st) {
    this.ended = st.status === 'ended';
    for (const b of this.root.querySelectorAll('[data-needs-running]')) {
      if (b.dataset.state === 'pending') continue;
      b.disabled = this.ended || (b === this.fwdBtn && this.fwdRed);
    }
  }

  threads() { return groupThreads([...this.messages.values()]); }

  thread(id) { return this.threads().find((th) => th.id === id); }

  markRead(id, seq) {
    if ((this.read[id] || 0) >= seq) return;
    this.read[id] = seq;
    this.store.save(this.read);
  }

  name(id) {
    if (id === this.team) return t('ui.messages.you', { team: this.ctx.dir.teamName(id) });
    return this.ctx.dir.anyName(id);
  }

  /** injectText returns an inject's title and body in the reader's language. */
  injectText(id) {
    const c = this.injects.get(id) || {};
    const tr = c.translations && c.translations[i18n.lang];
    return { title: (tr && tr.title) || c.title || this.ctx.dir.injectTitle(id) || id, body: (tr && tr.body) || c.body || '' };
  }

  subjectOf(th) {
    if (th.inject) return `${th.inject} — ${this.injectText(th.inject).title}`;
    const first = th.messages[0];
    const line = (first.text || '').split('\n')[0].trim();
    return line.length > 70 ? `${line.slice(0, 69)}…` : (line || t('ui.messages.no_subject'));
  }

  others(th) {
    return th.parties.filter((p) => p !== this.team).map((p) => this.ctx.dir.anyName(p)).join(', ') || this.name(this.team);
  }

  /* ---------- rendering ---------- */

  render() {
    this.heading = h('h2', { id: 'messages-h', tabindex: '-1' }, t('ui.messages.title'), ' ',
      this.unreadBadge = h('span', { id: 'messages-unread', class: 'count-badge', hidden: true }));
    // The list is drawn afresh (in the reader's language) and then kept.
    this.listEl = null;
    this.threadRows = new Map();
    const head = h('div', { class: 'panel-head' },
      this.heading,
      h('span', { class: 'btn-row' },
        h('button', { type: 'button', id: 'msg-new', class: 'btn btn-small', dataset: { needsRunning: '' }, disabled: this.ended, on: { click: () => this.showCompose('message') } }, t('ui.messages.new')),
        h('button', { type: 'button', id: 'msg-rfi', class: 'btn btn-small', dataset: { needsRunning: '' }, disabled: this.ended, on: { click: () => this.showCompose('rfi') } }, t('ui.messages.request'))));
    this.body = h('div', { class: 'msg-body-wrap' });
    replace(this.root, head, this.body);
    this.renderCounts();
    this.show(this.view, false);
  }

  show(view, focus = true) {
    this.view = VIEWS.includes(view) ? view : 'list';
    if (this.view === 'thread' && this.openThread && this.thread(this.openThread)) this.renderThread(focus);
    else if (this.view === 'compose') this.renderCompose(focus);
    else { this.view = 'list'; this.renderList(); if (focus) this.heading.focus(); }
    this.root.dataset.view = this.view;
  }

  renderCounts() {
    const n = totalUnread(this.threads(), this.team, this.read);
    this.root.dataset.unread = String(n);
    const badge = this.unreadBadge;
    badge.hidden = n === 0;
    badge.textContent = t('ui.messages.unread', { count: n });
  }

  /**
   * renderList shows the threads, newest activity first. The list and one
   * row per thread are kept and updated in place as messages come, so that
   * the thread a trainee is clicking or has the keyboard on stays under
   * them, and the list keeps its scroll position.
   */
  renderList() {
    const threads = this.threads();
    if (!this.listEl || this.listEl.parentNode !== this.body) {
      this.listEl ||= h('ul', { id: 'msg-threads', class: 'thread-list', 'aria-label': t('ui.messages.threads') });
      this.emptyEl = h('p', { id: 'msg-empty', class: 'muted' }, t('ui.messages.empty'));
      replace(this.body, this.listEl, this.emptyEl);
    }
    placeInOrder(this.listEl, threads.map((th) => this.threadRow(th).li));
    if (threads.length) this.emptyEl.remove();
  }

  /** threadRow returns the row of thread th (made the first time), updated to th. */
  threadRow(th) {
    let r = this.threadRows.get(th.id);
    if (!r) {
      r = this.newThreadRow(th.id);
      this.threadRows.set(th.id, r);
    }
    const unread = unreadIn(th, this.team, this.read[th.id] || 0);
    r.btn.className = ['thread-item', unread ? 'unread' : ''].filter(Boolean).join(' ');
    Object.assign(r.btn.dataset, { unread: String(unread), kind: th.kind, rfi: th.rfi ? 'true' : 'false' });
    setText(r.withEl, this.others(th));
    setText(r.time, fmtTShort(th.lastAt));
    setText(r.subject, this.subjectOf(th));
    r.rfi.hidden = !th.rfi;
    patchLike(r.tlp, tlpBadge(th.tlp));
    setText(r.count, t('ui.messages.count', { count: th.messages.length }));
    r.unread.hidden = !unread;
    setText(r.unread, unread ? t('ui.messages.unread', { count: unread }) : '');
    return r;
  }

  /** newThreadRow builds the row of thread id: its <li>, its button and the parts threadRow updates. */
  newThreadRow(id) {
    const r = {
      withEl: h('span', { class: 'ti-with' }),
      time: h('time', { class: 'ti-time' }),
      subject: h('span', { class: 'ti-subject' }),
      rfi: h('span', { class: 'badge badge-rfi', title: t('ui.messages.rfi_help') }, t('ui.messages.badge.rfi')),
      tlp: h('span'),
      count: h('span', { class: 'ti-count' }),
      unread: h('span', { class: 'badge badge-unread' }),
    };
    r.btn = h('button', {
      type: 'button', class: 'thread-item', dataset: { thread: id },
      on: { click: () => { this.openThread = id; this.show('thread'); } },
    },
    h('span', { class: 'ti-top' }, h('span', { class: 'unread-dot', 'aria-hidden': 'true' }), r.withEl, r.time),
    r.subject,
    h('span', { class: 'ti-badges' }, r.rfi, r.tlp, r.count, r.unread));
    r.li = h('li', null, r.btn);
    return r;
  }

  /** messageItem renders one message of a thread. */
  messageItem(m) {
    const person = m.actor.startsWith('trainee:') ? m.actor.split(':').slice(2).join(':') : '';
    const kindLabel = { rfi: t('ui.messages.kind.rfi'), reply: t('ui.messages.kind.reply'), forward: t('ui.messages.kind.forward') }[m.kind];
    const to = m.peers.length ? m.peers.map((p) => this.name(p)).join(', ') : (m.target ? this.name(m.target) : '');
    let body;
    if (m.text) {
      body = h('p', { class: 'msg-text' }, m.text);
    } else if (m.inject) {
      const x = this.injectText(m.inject);
      body = h('div', { class: 'msg-text' }, h('p', { class: 'msg-inject-title' }, h('strong', null, x.title)),
        x.body ? h('div', { class: 'md-body' }, renderMarkdown(x.body)) : null);
    } else {
      body = h('p', { class: 'muted' }, t('ui.messages.no_text'));
    }
    return h('li', { class: ['msg', m.from === this.team ? 'msg-own' : ''], dataset: { seq: m.seq, from: m.from, kind: m.kind } },
      h('div', { class: 'msg-meta' },
        h('strong', { class: 'msg-from' }, this.name(m.from)), person ? ` (${person})` : '',
        h('time', { class: 'msg-time' }, fmtTShort(m.at)),
        tlpBadge(m.tlp),
        kindLabel ? h('span', { class: 'badge badge-kind' }, kindLabel) : null,
        m.reason ? h('span', { class: 'badge badge-violation', title: reasonText({ reason: m.reason, reason_code: m.reasonCode, reason_args: m.reasonArgs }, this.ctx.dir) }, t('ui.messages.violation')) : null),
      to ? h('p', { class: 'msg-to' }, t('ui.messages.to', { names: to })) : null,
      body,
      m.indicators.length ? h('div', { class: 'msg-indicators' },
        h('p', { class: 'msg-ind-label' }, t('ui.messages.indicators')),
        h('ul', null, m.indicators.map((s) => h('li', null, h('code', null, s))))) : null);
  }

  /**
   * renderThread draws the open thread: its messages, Back, Reply and
   * Forward and their forms. It runs when the thread is opened; a message
   * that comes while it is open is added by appendToThread.
   */
  renderThread(focus) {
    const th = this.thread(this.openThread);
    this.markRead(th.id, th.lastSeq);
    this.renderCounts();
    const title = h('h3', { id: 'msg-thread-title', class: 'msg-thread-title', tabindex: '-1' });
    this.threadList = h('ol', { id: 'msg-thread-messages', class: 'msg-list', dataset: { thread: th.id } }, th.messages.map((m) => this.messageItem(m)));
    const err = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    this.replyForm = this.buildReply(th);
    this.forwardForm = this.buildForward(th);
    const replyBtn = h('button', { type: 'button', id: 'msg-reply-open', class: 'btn btn-small btn-primary', dataset: { needsRunning: '' }, disabled: this.ended, 'aria-expanded': 'false', 'aria-controls': 'msg-reply-form' }, t('ui.messages.reply'));
    const fwdBtn = h('button', { type: 'button', id: 'msg-forward-open', class: 'btn btn-small', dataset: { needsRunning: '' }, 'aria-expanded': 'false', 'aria-controls': 'msg-forward-form' }, t('ui.messages.forward'));
    const toggle = (btn, form, other, otherBtn) => () => {
      const open = form.hidden;
      other.hidden = true;
      otherBtn.setAttribute('aria-expanded', 'false');
      // Opened, a form answers or forwards the thread's newest message
      // (it keeps that message while it stays open: see appendToThread).
      if (open) {
        form.retarget(this.thread(this.openThread));
        this.drawThreadHead(this.thread(this.openThread));
      }
      form.hidden = !open;
      btn.setAttribute('aria-expanded', String(open));
      if (open) form.querySelector('textarea').focus();
    };
    replyBtn.addEventListener('click', toggle(replyBtn, this.replyForm, this.forwardForm, fwdBtn));
    fwdBtn.addEventListener('click', toggle(fwdBtn, this.forwardForm, this.replyForm, replyBtn));
    // A form that closes after sending says so on its button.
    this.replyForm.onClosed = () => replyBtn.setAttribute('aria-expanded', 'false');
    this.forwardForm.onClosed = () => fwdBtn.setAttribute('aria-expanded', 'false');
    this.fwdBtn = fwdBtn;
    this.threadHead = { title, withEl: h('p', { class: 'msg-with muted' }), redHint: h('p', { class: 'hint' }, t('ui.messages.red_no_forward')) };
    this.drawThreadHead(th);
    replace(this.body, h('div', { id: 'msg-thread-view', class: 'msg-thread' },
      h('button', { type: 'button', id: 'msg-back', class: 'btn btn-small msg-back', on: { click: () => { this.openThread = null; this.show('list'); } } }, `← ${t('ui.messages.back')}`),
      title,
      this.threadHead.withEl,
      this.threadList,
      h('div', { class: 'msg-actions btn-row' }, replyBtn, fwdBtn),
      this.threadHead.redHint,
      this.replyForm, this.forwardForm, err));
    if (focus) title.focus();
  }

  /**
   * drawThreadHead updates what a new message of the open thread th may
   * change outside the message list: the subject, who the thread is with,
   * and whether Forward is allowed (not for a message marked TLP:RED).
   */
  drawThreadHead(th) {
    const { title, withEl, redHint } = this.threadHead;
    setText(title, this.subjectOf(th));
    setText(withEl, t('ui.messages.with', { names: this.others(th) }));
    this.fwdRed = this.forwardForm.forwarded().tlp === 'red';
    redHint.hidden = !this.fwdRed;
    this.fwdBtn.disabled = this.ended || this.fwdRed;
  }

  /**
   * appendToThread shows a new message m of the open thread in place: the
   * buttons, the forms and what is typed in them stay, so a reply that
   * arrives as the trainee reaches for Reply does not take the click, the
   * keyboard or a draft away. A closed reply or forward then answers or
   * forwards the newest message; one being written keeps its message.
   */
  appendToThread(m) {
    const next = Array.from(this.threadList.children).find((li) => Number(li.dataset.seq) > m.seq) || null;
    this.threadList.insertBefore(this.messageItem(m), next);
    const th = this.thread(this.openThread);
    // An open form keeps the message it was opened on: what the trainee
    // writes goes where they saw it would go.
    if (this.replyForm.hidden) this.replyForm.retarget(th);
    if (this.forwardForm.hidden) this.forwardForm.retarget(th);
    this.drawThreadHead(th);
  }

  /* ---------- forms ---------- */

  /**
   * tlpField builds a TLP select with its hint and warning: the levels
   * offered are those allowed() returns, the default is the marking of
   * what the message carries, and a level more open than that marking is
   * labelled and warned about as a TLP violation (as in the share form).
   */
  tlpField(prefix, { allowed, marking, what }) {
    const sel = h('select', { id: `${prefix}-tlp`, required: true, 'aria-describedby': `${prefix}-tlp-hint ${prefix}-tlp-warning` });
    const hint = h('p', { class: 'hint', id: `${prefix}-tlp-hint` });
    const warn = h('p', { class: 'tlp-warning', id: `${prefix}-tlp-warning`, hidden: true, 'aria-live': 'polite' });
    const field = h('div', { class: 'field' }, h('label', { for: `${prefix}-tlp`, class: 'field-label' }, t('ui.messages.tlp')), sel, hint, warn);
    let touched = false;
    const warnNow = () => {
      const m = marking();
      const violation = !!sel.value && !!m && tlpMoreOpen(sel.value, m);
      warn.hidden = !violation;
      warn.textContent = violation ? t(`ui.messages.tlp_warning.${what}`, { marking: tlpLabel(m), tlp: tlpLabel(sel.value) }) : '';
      field.dataset.tlpViolation = violation ? 'true' : 'false';
    };
    sel.addEventListener('change', () => { touched = true; warnNow(); });
    field.update = () => {
      const levels = allowed();
      const m = marking();
      const prev = sel.value;
      const opts = levels.map((l) => [l, tlpMoreOpen(l, m) ? t(`ui.messages.tlp_option_violation.${what}`, { tlp: tlpLabel(l), marking: tlpLabel(m) }) : tlpLabel(l)]);
      // The options are made again only when they change: a list open
      // under the trainee's pointer stays open.
      const have = Array.from(sel.children);
      const same = have.length === opts.length && opts.every(([l, label], i) => have[i].value === l && have[i].textContent === label);
      if (!same) replace(sel, opts.map(([l, label]) => option(l, label)));
      const want = (touched && levels.includes(prev)) ? prev : defaultLevel(levels, m);
      if (sel.value !== want) sel.value = want;
      sel.disabled = !levels.length;
      hint.textContent = !levels.length ? t('ui.messages.tlp_none')
        : m ? t(`ui.messages.tlp_hint.${what}`, { marking: tlpLabel(m), levels: levels.map((l) => l.toUpperCase()).join(', ') })
          : t('ui.messages.tlp_hint.free', { levels: levels.map((l) => l.toUpperCase()).join(', ') });
      warnNow();
    };
    field.select = sel;
    field.reset = () => { touched = false; field.update(); };
    return field;
  }

  /** peerBoxes builds the checkboxes of the peers a message can go to (name, allowed levels). */
  peerBoxes(name, legend, onChange, exclude = []) {
    const peers = this.peers.filter((p) => !exclude.includes(p.team));
    const boxes = peers.map((p) => {
      const id = uid(name);
      const levels = (p.tlp || []).map(normTLP);
      const cb = h('input', { type: 'checkbox', name, value: p.team, id, dataset: { tlp: levels.join(' ') } });
      cb.addEventListener('change', onChange);
      const label = h('label', { class: 'check', for: id }, cb, ' ', p.name || this.ctx.dir.teamName(p.team),
        h('span', { class: 'peer-tlp' }, ` (${levels.map((l) => l.toUpperCase()).join(', ') || t('ui.messages.no_tlp')})`));
      return { team: p.team, label };
    });
    const set = h('fieldset', { class: 'checks' }, h('legend', null, legend),
      boxes.length ? boxes.map((b) => b.label) : h('p', { class: 'muted' }, t('ui.messages.no_peers')));
    // exclude takes away the boxes of teams that have since joined the thread.
    set.exclude = (teams) => {
      for (const b of boxes) if (teams.includes(b.team)) b.label.remove();
    };
    return set;
  }

  chosen(form, name) {
    return Array.from(form.querySelectorAll(`input[name=${name}]:checked`), (i) => i.value);
  }

  textField(id, label, { required = false, rows = 3, hint = '' } = {}) {
    const ta = h('textarea', { id, rows: String(rows), maxlength: '8000', required, 'aria-describedby': hint ? `${id}-hint` : null });
    return h('div', { class: 'field' }, h('label', { for: id, class: 'field-label' }, label), ta,
      hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
  }

  /** send runs a command on btn (data-state pending/done/error) and calls after on success. */
  send(btn, cmd, ferr, doneLabel, after) {
    return pending(btn, () => this.ctx.socket.command(cmd), { errorEl: ferr, socket: this.ctx.socket, doneLabel })
      .then((res) => { if (res && after) after(); return res; });
  }

  showCompose(mode) {
    this.composeMode = mode;
    this.show('compose');
  }

  /**
   * fillSubjects offers the injects delivered to the team as subjects of
   * the compose form. It adds the options of new injects and leaves the
   * others, so that a delivery does not close the list the trainee has open
   * or change what is picked.
   */
  fillSubjects() {
    const sel = this.subjectSel;
    if (!sel) return;
    const have = new Map(Array.from(sel.children, (o) => [o.value, o]));
    for (const id of this.injects.keys()) {
      const label = `${id} — ${this.injectText(id).title}`;
      if (have.has(id)) setText(have.get(id), label);
      else sel.appendChild(option(id, label));
    }
  }

  renderCompose(focus) {
    const rfi = this.composeMode === 'rfi';
    const form = h('form', { id: 'msg-compose', class: 'action-form stack msg-form', novalidate: true, 'aria-labelledby': 'msg-compose-title', dataset: { mode: this.composeMode } });
    const title = h('h3', { id: 'msg-compose-title', class: 'msg-thread-title', tabindex: '-1' }, t(rfi ? 'ui.messages.compose.rfi_title' : 'ui.messages.compose.title'));
    const ferr = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const subject = h('select', { id: 'msg-subject', 'aria-describedby': 'msg-subject-hint' }, option('', t('ui.messages.subject_none')));
    this.subjectSel = subject;
    const tlp = this.tlpField('msg', {
      allowed: () => allowedLevels(this.peers, this.chosen(form, 'msg-peer')),
      marking: () => normTLP((this.injects.get(subject.value) || {}).tlp),
      what: 'inject',
    });
    const peers = this.peerBoxes('msg-peer', t(rfi ? 'ui.messages.compose.ask' : 'ui.messages.compose.to'), () => tlp.update());
    const submit = h('button', { type: 'submit', id: 'msg-send', class: 'btn btn-primary', dataset: { needsRunning: '' }, disabled: this.ended }, t(rfi ? 'ui.messages.compose.send_rfi' : 'ui.messages.compose.send'));
    const cancel = h('button', { type: 'button', id: 'msg-cancel', class: 'btn', on: { click: () => this.show('list') } }, t('ui.messages.cancel'));
    append(form, [title,
      rfi ? h('p', { class: 'hint' }, t('ui.messages.compose.rfi_help')) : null,
      peers,
      h('div', { class: 'field' }, h('label', { for: 'msg-subject', class: 'field-label' }, t('ui.messages.subject')), subject,
        h('p', { class: 'hint', id: 'msg-subject-hint' }, t('ui.messages.subject_hint'))),
      tlp,
      this.textField('msg-text', t(rfi ? 'ui.messages.compose.question' : 'ui.messages.compose.text'), { required: true }),
      this.textField('msg-indicators', t('ui.messages.indicators_field'), { rows: 2, hint: t('ui.messages.indicators_hint') }),
      ferr, h('div', { class: 'form-actions btn-row' }, submit, cancel)]);
    subject.addEventListener('change', () => tlp.update());
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.show('list'); });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const to = this.chosen(form, 'msg-peer');
      const text = form.querySelector('#msg-text');
      const fail = (msg, el) => { ferr.textContent = msg; ferr.hidden = false; if (el) el.focus(); };
      if (!to.length) return fail(t('ui.messages.error.no_peer'), form.querySelector('input[name=msg-peer]'));
      if (!tlp.select.value) return fail(t('ui.messages.error.no_tlp'), tlp.select);
      if (!text.value.trim()) return fail(t('ui.messages.error.no_text'), text);
      ferr.hidden = true;
      const indicators = parseIndicators(form.querySelector('#msg-indicators').value);
      let cmd;
      if (rfi && subject.value && to.length === 1 && !indicators.length) {
        // A request about an inject to one team is the request_info action
        // (which expectations judge), delivered to the team as an RFI.
        cmd = { type: 'request_info', inject: subject.value, target: to[0], tlp: tlp.select.value, text: text.value.trim() };
      } else {
        cmd = { type: 'message', kind: rfi ? 'rfi' : 'message', peers: to, tlp: tlp.select.value, text: text.value.trim() };
        if (subject.value) cmd.inject = subject.value;
        if (indicators.length) cmd.indicators = indicators;
      }
      this.send(submit, cmd, ferr, t('ui.messages.sent'), () => this.show('list'));
    });
    replace(this.body, form);
    this.fillSubjects();
    if (rfi) {
      const selected = document.querySelector('#inject-detail')?.dataset.selectedInject;
      if (selected && this.injects.has(selected)) subject.value = selected;
    }
    tlp.update();
    if (focus) title.focus();
  }

  /**
   * buildReply builds the reply form of thread th. Its retarget(thread)
   * points the reply at the thread's newest message from another party
   * (who it goes to, its TLP marking) and keeps what is typed (done only
   * while the form is closed).
   */
  buildReply(th) {
    let target;
    const form = h('form', { id: 'msg-reply-form', class: 'action-form stack msg-form', novalidate: true, hidden: true, 'aria-label': t('ui.messages.reply') });
    const ferr = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const tlp = this.tlpField('msg-reply', {
      allowed: () => (target.teams.length ? allowedLevels(this.peers, target.teams) : [...TLP_LEVELS]),
      marking: () => target.msg.tlp,
      what: 'message',
    });
    const to = h('p', { class: 'msg-to' });
    const submit = h('button', { type: 'submit', id: 'msg-reply-submit', class: 'btn btn-primary', dataset: { needsRunning: '' }, disabled: this.ended }, t('ui.messages.reply_send'));
    form.append(
      to,
      this.textField('msg-reply-text', t('ui.messages.reply_text'), { required: true }),
      tlp,
      this.textField('msg-reply-indicators', t('ui.messages.indicators_field'), { rows: 2, hint: t('ui.messages.indicators_hint') }),
      ferr, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = form.querySelector('#msg-reply-text');
      if (!text.value.trim()) { ferr.textContent = t('ui.messages.error.no_text'); ferr.hidden = false; text.focus(); return; }
      if (!tlp.select.value) { ferr.textContent = t('ui.messages.error.no_tlp'); ferr.hidden = false; tlp.select.focus(); return; }
      ferr.hidden = true;
      const cmd = { type: 'reply', message: target.msg.seq, text: text.value.trim(), tlp: tlp.select.value };
      const indicators = parseIndicators(form.querySelector('#msg-reply-indicators').value);
      if (indicators.length) cmd.indicators = indicators;
      this.send(submit, cmd, ferr, t('ui.messages.sent'), () => { form.reset(); tlp.reset(); form.hidden = true; form.onClosed(); });
    });
    form.retarget = (thread) => {
      target = replyTarget(thread, this.team, (id) => this.isTeam(id));
      form.dataset.replyTo = String(target.msg.seq);
      const names = [...target.teams, target.actor].filter(Boolean).map((p) => this.name(p)).join(', ');
      setText(to, t('ui.messages.to', { names }));
      tlp.update();
    };
    form.retarget(th);
    return form;
  }

  /**
   * buildForward builds the forward form of thread th. Its forwarded() is the
   * message it forwards; retarget(thread) moves it to the thread's newest
   * message from another party (only done while the form is closed).
   */
  buildForward(th) {
    let msg;
    const form = h('form', { id: 'msg-forward-form', class: 'action-form stack msg-form', novalidate: true, hidden: true, 'aria-label': t('ui.messages.forward') });
    const ferr = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const tlp = this.tlpField('msg-forward', {
      allowed: () => allowedLevels(this.peers, this.chosen(form, 'msg-fwd-peer')),
      marking: () => msg.tlp,
      what: 'message',
    });
    const peers = this.peerBoxes('msg-fwd-peer', t('ui.messages.forward_to'), () => tlp.update(), th.parties);
    const submit = h('button', { type: 'submit', id: 'msg-forward-submit', class: 'btn btn-primary', dataset: { needsRunning: '' }, disabled: this.ended }, t('ui.messages.forward_send'));
    form.append(peers, tlp, this.textField('msg-forward-text', t('ui.messages.forward_text')), ferr, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const to = this.chosen(form, 'msg-fwd-peer');
      if (!to.length) { ferr.textContent = t('ui.messages.error.no_peer'); ferr.hidden = false; return; }
      if (!tlp.select.value) { ferr.textContent = t('ui.messages.error.no_tlp'); ferr.hidden = false; tlp.select.focus(); return; }
      ferr.hidden = true;
      const cmd = { type: 'forward', message: msg.seq, peers: to, tlp: tlp.select.value };
      const text = form.querySelector('#msg-forward-text').value.trim();
      if (text) cmd.text = text;
      this.send(submit, cmd, ferr, t('ui.messages.forwarded'), () => { form.reset(); tlp.reset(); form.hidden = true; form.onClosed(); });
    });
    form.forwarded = () => msg;
    form.retarget = (thread) => {
      msg = replyTarget(thread, this.team, (id) => this.isTeam(id)).msg;
      form.dataset.message = String(msg.seq);
      peers.exclude(thread.parties);
      tlp.update();
    };
    form.retarget(th);
    return form;
  }
}

/**
 * mountMessages adds the Messages panel to the team console's side column
 * and loads the page's language catalogs if nobody has yet. Call it before
 * ctx.socket.start(), so the panel sees the replayed events.
 */
export function mountMessages(ctx) {
  const host = document.querySelector('.col-side') || document.querySelector('main');
  const panel = new MessagesPanel(ctx, host);
  if (!i18n.catalogs.size) {
    const who = `${ctx.session.exercise}:${ctx.you.team}:${ctx.you.name || ''}`;
    i18n.start({ participant: who }).then(() => panel.render()).catch((err) => console.error('messages: language catalogs:', err));
  }
  return panel;
}
