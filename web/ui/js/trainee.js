// The team console: inbox of injects, the selected inject with its action
// forms, the team's timeline and what peers shared with the team.
import { teamReportLink } from './aar.js';
import { $, $$, h, option, replace, copyButton, uid } from './dom.js';
import { boot, pending, announce, showError, errorMessage, endReason } from './page.js';
import { api, loadHistory } from './api.js';
import {
  fmtTShort, fmtT, tlpBadge, tlpLabel, severityBadge, channelBadge, actionLabel,
  SEVERITIES, TLP_LEVELS, normTLP, fmtPoints, severityLabel, reasonText, categoryLabel, classLabel,
} from './format.js';
import { renderMarkdown } from './markdown.js';
import { Timeline } from './timeline.js';
import { countdown, startCountdowns } from './countdown.js';
import { i18n, t, contentLang } from './i18n.js';
import { mountMessages, tlpMoreOpen } from './messages.js';
import { mountWall } from './wall.js';
import { mountDecisions } from './decision.js';
import { attachmentFile } from './attachments.js';
import { SurveyForm } from './hotwash.js';
import { exerciseText } from './model.js';

/** categorySelect offers exactly the categories of the exercise's taxonomy, grouped by classification. */
function categorySelect(taxonomy) {
  const groups = new Map();
  for (const c of (taxonomy && taxonomy.categories) || []) {
    const cls = classLabel(taxonomy, c.value, c.class);
    if (!groups.has(cls)) groups.set(cls, []);
    groups.get(cls).push(option(c.value, categoryLabel(taxonomy, c.value)));
  }
  return h('select', { id: 'classify-category', required: true }, option('', t('ui.choose')),
    [...groups].map(([label, opts]) => h('optgroup', { label }, opts)));
}

/** expText returns an expectation's prompt in the chosen language. */
function expText(x, lang) {
  return (lang && x.translations && x.translations[lang]) || x.text || '';
}

/** languageName names a language code in the reader's language ("inglés"). */
function languageName(code) {
  try {
    return new Intl.DisplayNames([i18n.tag], { type: 'language' }).of(code) || code;
  } catch {
    return code;
  }
}

const FORM_ACTIONS = ['classify', 'escalate', 'share', 'request_info', 'publish', 'report'];
const FORM_ID = { classify: 'classify', escalate: 'escalate', share: 'share', request_info: 'request', publish: 'publish', report: 'report' };

const store = {
  get(k, d) { try { const v = localStorage.getItem(k); return v === null ? d : JSON.parse(v); } catch { return d; } },
  set(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* private mode */ } },
};

class TraineeConsole {
  constructor(ctx) {
    this.ctx = ctx;
    this.team = ctx.you.team;
    this.injects = new Map();
    this.selected = null;
    this.live = false; // true after the first caught_up: announce new injects
    // The pane shows the newest inject by itself only until the trainee
    // has chosen what it shows (an inject, the briefing, the results) or
    // the results came at the end: from then on a new inject, or a
    // reconnection, is announced and never takes the pane from them.
    this.viewChosen = false;
    this.readKey = `cmesim:read:${ctx.session.exercise}:${this.team}`;
    this.read = new Set(store.get(this.readKey, []));
    // Injects show in the page's language when the scenario translates
    // them; a participant may switch to the original with one click.
    this.original = (ctx.exercise.language || 'en').toLowerCase();
    this.originalKey = `cmesim:original:${ctx.session.exercise}:${this.team}:${ctx.you.name || ''}`;
    this.showOriginal = store.get(this.originalKey, false) === true;
    this.inbox = $('#inbox');
    this.inboxEmpty = $('#inbox-empty');
    this.detail = $('#inject-detail');
    this.shared = $('#shared-with-us');
    this.sharedEmpty = $('#shared-empty');
    this.timeline = new Timeline($('#timeline'), {
      dir: ctx.dir, typeFilter: $('#tl-type'),
      empty: t('ui.trainee.timeline_empty'), noneMatch: t('ui.trainee.timeline_none_match'),
      forgotten: (count) => t('ui.trainee.timeline_forgotten', { count }),
      loadOlder: (before, limit) => loadHistory(ctx.session.exercise, before, limit), announce,
    });

    const me = ctx.dir.teams.get(this.team) || {};
    $('#team-name').textContent = me.name || this.team;
    $('#team-country').textContent = [me.country, me.sector && i18n.has(`sector.${me.sector}`) ? t(`sector.${me.sector}`) : me.sector].filter(Boolean).join(' · ');

    startCountdowns(ctx.clock);
    ctx.socket.on('event', (m) => this.onEvent(m));
    ctx.socket.on('status', (m) => this.onStatus(m.status || {}));
    ctx.socket.on('caught_up', () => {
      this.live = true;
      if (this.injects.size) this.autoSelect(this.newest().id);
    });
    $('#btn-briefing').addEventListener('click', () => { this.viewChosen = true; this.renderBriefing(true); });
    $('#btn-debrief').addEventListener('click', () => this.showDebrief(true));
    this.renderDetailEmpty();
  }

  newest() {
    let best = null;
    for (const r of this.injects.values()) if (!best || r.seq > best.seq) best = r;
    return best;
  }

  /* ---------- events ---------- */

  onEvent(m) {
    const ev = m.event || {};
    const d = ev.data || {};
    // The inject first, so that the timeline names it as the inbox does.
    if (ev.type === 'inject.delivered' && (!ev.team || ev.team === this.team)) this.addInject(m);
    this.timeline.add(m);
    switch (ev.type) {
      case 'team.action':
        if (ev.team === this.team) {
          const r = this.injects.get(d.inject);
          if (r) { r.actions.push(ev); this.refresh(r); }
        } else if (d.action === 'share' && (d.peers || []).includes(this.team)) {
          this.addShared(ev);
        }
        break;
      case 'expectation.met':
      case 'expectation.missed':
      case 'expectation.wrong': {
        if (ev.team && ev.team !== this.team) break;
        const r = this.injects.get(d.inject);
        if (!r) break;
        const x = r.exps.get(d.expectation) || { id: d.expectation, action: d.expectation, deadline: d.deadline };
        x.state = ev.type === 'expectation.met' ? (d.late ? 'late' : 'met') : (ev.type === 'expectation.missed' ? 'missed' : 'wrong');
        x.points = x.points ?? d.max_points;
        x.earned = d.points;
        x.why = { reason: d.reason, reason_code: d.reason_code, reason_args: d.reason_args };
        x.provisional = !!d.provisional;
        r.exps.set(x.id, x);
        this.refresh(r);
        break;
      }
      case 'expectation.scored': {
        // The evaluators judged an answer: its points are no longer provisional.
        const r = ev.team === this.team ? this.injects.get(d.inject) : null;
        const x = r && r.exps.get(d.expectation);
        if (!x) break;
        x.earned = d.points ?? (x.earned === undefined ? undefined : 0);
        x.provisional = false;
        this.refresh(r);
        break;
      }
      case 'team.mode':
        if (ev.team === this.team) this.setModeNotice(d.mode);
        break;
      default:
        break;
    }
  }

  onStatus(st) {
    const me = (st.teams || []).find((x) => x.id === this.team) || (st.teams || [])[0];
    if (me) {
      const s = $('#team-score');
      // The score is shown only when the scenario shows players the points.
      s.hidden = this.ctx.exercise.player_view !== 'points';
      if (s.parentElement) s.parentElement.hidden = s.hidden; // and its label
      s.textContent = `${fmtPoints(me.score)}/${me.max_score ?? 0}${me.provisional ? ` ${t('judge.provisional_part', { points: fmtPoints(me.provisional) })}` : ''}`;
      s.dataset.score = me.score ?? 0;
      s.dataset.provisional = me.provisional ?? 0;
      if (me.mode) this.setModeNotice(me.mode);
    }
    const was = this.status;
    this.status = st.status || '';
    document.body.dataset.status = this.status;
    const paused = $('#paused-notice');
    if (paused) {
      paused.hidden = !(this.status === 'paused' || this.status === 'ready');
      paused.textContent = this.status === 'paused' ? t('ui.trainee.paused') : t('ui.trainee.not_started');
    }
    if (this.status === was) return;
    if (this.status === 'ready' && !this.selected) this.renderBriefing();
    if (this.status === 'ended') {
      $('#btn-debrief').hidden = false;
      this.endActions();
    }
  }

  /**
   * endActions closes the inject's responses when the exercise ends and
   * shows the results, unless the trainee has typed something not sent:
   * that stays, read-only, for them to copy, under a notice with a button
   * to the results.
   */
  endActions() {
    const hadFocus = this.detail.contains(document.activeElement) && document.activeElement !== this.detail;
    const typed = $$('.actions textarea, .actions input[type=text]', this.detail).some((el) => el.value.trim());
    if (!typed) {
      this.disableActions();
      // The keyboard was in the pane: it goes to the results' heading, not to the top of the page.
      this.showDebrief(hadFocus);
      return;
    }
    this.disableActions({ keepText: true });
    const results = h('button', { type: 'button', id: 'ended-results', class: 'btn btn-small btn-primary' }, t('ui.trainee.ended_results'));
    results.addEventListener('click', () => this.showDebrief(true));
    const notice = h('div', { id: 'ended-unsent', class: 'banner banner-ended' }, h('p', null, t('ui.trainee.ended_unsent')), results);
    const actions = $('.actions', this.detail);
    actions.insertBefore(notice, $('#actions-h', actions).nextSibling);
    announce(t('ui.trainee.ended_unsent'));
    // A button the keyboard was on is off now: the keyboard goes to the results button.
    if (hadFocus && (document.activeElement === document.body || document.activeElement.disabled)) results.focus();
  }

  /**
   * disableActions turns the response buttons and forms off once the
   * exercise has ended. With keepText, the text typed stays readable and
   * copyable (read-only, not disabled) and the tabs still open the forms
   * that hold it; nothing can be sent.
   */
  disableActions({ keepText = false } = {}) {
    for (const el of $$('.actions button, .actions input, .actions select, .actions textarea', this.detail)) {
      if (keepText && (el.tagName === 'TEXTAREA' || el.type === 'text')) el.readOnly = true;
      else if (!(keepText && el.classList.contains('btn-tab'))) el.disabled = true;
    }
  }

  setModeNotice(mode) {
    const el = $('#mode-notice');
    if (!el) return;
    el.hidden = mode !== 'simulated';
    el.textContent = t('ui.trainee.simulated');
  }

  addInject(m) {
    const ev = m.event || {};
    const d = ev.data || {};
    const content = m.inject || {};
    const id = content.id || d.inject;
    if (!id || this.injects.has(id)) return;
    const exps = new Map();
    for (const x of d.expectations || []) exps.set(x.id, { ...x, state: 'open' });
    for (const x of content.expectations || []) exps.set(x.id, { ...(exps.get(x.id) || { state: 'open' }), ...x });
    const r = { id, seq: ev.seq ?? m.seq, at: ev.at ?? m.at ?? 0, content, data: d, exps, actions: [], item: null };
    this.injects.set(id, r);
    // The timeline names injects as the inbox shows them.
    this.ctx.dir.learnInject({ id, title: this.text(r).title });
    r.item = this.buildItem(r);
    this.inbox.insertBefore(r.item.li, this.findInsertPoint(r.seq));
    this.inboxEmpty.hidden = true;
    if (this.live) {
      announce(t('ui.trainee.new_inject', { from: this.senderName(content) || t('ui.trainee.unknown_sender'), title: this.text(r).title }));
      document.title = `(${i18n.formatNumber(this.unreadCount())}) ${this.ctx.exercise.title || t('ui.exercise')} — cmesim`;
      this.autoSelect(id);
    }
  }

  /** autoSelect shows inject id in the pane when nothing is selected and the trainee has not chosen what the pane shows. */
  autoSelect(id) {
    if (!this.selected && !this.viewChosen) this.select(id, false);
  }

  findInsertPoint(seq) {
    for (const li of this.inbox.children) if (Number(li.dataset.seq) < seq) return li;
    return null;
  }

  unreadCount() {
    let n = 0;
    for (const id of this.injects.keys()) if (!this.read.has(id)) n += 1;
    return n;
  }

  /** translated reports whether the inject has a translation into the page's language. */
  translated(r) {
    const c = r.content || {};
    return i18n.lang !== this.original && !!(c.translations && c.translations[i18n.lang]);
  }

  /** contentLang is the language an inject is shown in: the page's when translated and wanted, else the original. */
  contentLang(r) {
    return this.translated(r) && !this.showOriginal ? i18n.lang : this.original;
  }

  /** text returns the inject's title and body in the language it is shown in, and that language. */
  text(r) {
    const c = r.content || {};
    const lang = this.contentLang(r);
    const tr = lang !== this.original && c.translations && c.translations[lang];
    return {
      title: (tr && tr.title) || c.title || r.id,
      body: (tr && tr.body) || c.body || '',
      lang,
    };
  }

  /* ---------- inbox ---------- */

  buildItem(r) {
    const c = r.content;
    const title = h('span', { class: 'ii-title' });
    const due = h('span', { class: 'ii-due' });
    const btn = h('button', { type: 'button', class: 'inbox-item', dataset: { inject: r.id } },
      h('span', { class: 'ii-top' },
        h('span', { class: 'unread-dot', 'aria-hidden': 'true' }),
        h('span', { class: 'sr-only unread-label' }, `${t('ui.trainee.unread')} `),
        channelBadge(c.channel),
        h('span', { class: 'ii-from' }, this.senderName(c)),
        h('time', { class: 'ii-time' }, fmtTShort(r.at))),
      title,
      h('span', { class: 'ii-badges' }, severityBadge(c.severity || r.data.severity), tlpBadge(c.tlp || r.data.tlp), due));
    btn.addEventListener('click', () => { this.viewChosen = true; this.select(r.id, true); });
    btn.addEventListener('keydown', (e) => this.inboxKeys(e, r.id));
    const li = h('li', { dataset: { seq: r.seq } }, btn);
    const item = { li, btn, title, due };
    r.item = item;
    this.paintItem(r);
    return item;
  }

  inboxKeys(e, id) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const items = $$('.inbox-item', this.inbox);
    const i = items.findIndex((b) => b.dataset.inject === id);
    const next = items[i + (e.key === 'ArrowDown' ? 1 : -1)];
    if (next) { e.preventDefault(); next.focus(); }
  }

  paintItem(r) {
    const it = r.item;
    if (!it) return;
    const tx = this.text(r);
    it.title.textContent = tx.title;
    contentLang(it.title, tx.lang);
    const unread = !this.read.has(r.id);
    it.btn.classList.toggle('unread', unread);
    it.btn.querySelector('.unread-label').hidden = !unread;
    it.btn.dataset.unread = unread ? 'true' : 'false';
    const sel = this.selected === r.id;
    it.btn.classList.toggle('selected', sel);
    if (sel) it.btn.setAttribute('aria-current', 'true'); else it.btn.removeAttribute('aria-current');
    const open = [...r.exps.values()].filter((x) => x.state === 'open').sort((a, b) => a.deadline - b.deadline);
    const key = open.length ? `${open[0].id}/${open[0].deadline}` : 'none';
    if (it.due.dataset.key !== key) {
      it.due.dataset.key = key;
      replace(it.due, open.length ? [h('span', { class: 'due-label' }, `${actionLabel(open[0].action)}:`), ' ', countdown(open[0].deadline, this.ctx.clock)] : null);
    }
  }

  select(id, focusDetail) {
    const prev = this.selected;
    this.selected = id;
    if (!this.read.has(id)) {
      this.read.add(id);
      store.set(this.readKey, [...this.read]);
      document.title = `${this.unreadCount() ? `(${i18n.formatNumber(this.unreadCount())}) ` : ''}${this.ctx.exercise.title || t('ui.exercise')} — cmesim`;
    }
    if (prev && this.injects.has(prev)) this.paintItem(this.injects.get(prev));
    const r = this.injects.get(id);
    this.paintItem(r);
    this.renderDetail(r);
    if (focusDetail) {
      const heading = $('#detail-title');
      if (heading && window.matchMedia('(max-width: 800px)').matches) heading.focus();
    }
  }

  refresh(r) {
    this.paintItem(r);
    if (this.selected === r.id && this.detailParts) this.refreshDetail(r);
  }

  /* ---------- detail ---------- */

  renderDetailEmpty() {
    this.renderBriefing();
  }

  /** unselect clears the inbox selection (the detail shows something else). */
  unselect() {
    const prev = this.selected;
    this.selected = null;
    if (prev && this.injects.has(prev)) this.paintItem(this.injects.get(prev));
    this.detailParts = null;
    delete this.detail.dataset.selectedInject;
  }

  /** renderBriefing shows the scenario's description and start conditions (#briefing). */
  renderBriefing(focus = false) {
    const ex = this.ctx.exercise;
    const [exTitle, description, conditions] = ['title', 'description', 'start_conditions'].map((f) => exerciseText(ex, f));
    this.unselect();
    const title = h('h2', { id: 'briefing-title', class: 'detail-title', tabindex: '-1' }, t('ui.trainee.briefing'));
    replace(this.detail, h('section', { id: 'briefing', class: 'briefing', 'aria-labelledby': 'briefing-title' },
      h('header', { class: 'detail-head' },
        contentLang(h('p', { class: 'detail-meta' }, exTitle.text), exTitle.lang),
        title),
      description.text ? contentLang(h('div', { class: 'md-body', id: 'briefing-description' }, renderMarkdown(description.text)), description.lang) : null,
      conditions.text ? h('section', { 'aria-labelledby': 'briefing-cond-h' },
        h('h3', { id: 'briefing-cond-h', class: 'subhead' }, t('ui.trainee.start_situation')),
        contentLang(h('div', { class: 'md-body', id: 'briefing-conditions' }, renderMarkdown(conditions.text)), conditions.lang)) : null,
      h('p', { class: 'muted' }, this.injects.size ? t('ui.trainee.select_inject') : t('ui.trainee.injects_appear'))));
    if (focus) title.focus();
  }

  /** showDebrief loads and shows the team's results once the exercise has ended (#debrief). */
  async showDebrief(focus = false) {
    // The results, once shown, stay until the trainee leaves them (see viewChosen).
    this.viewChosen = true;
    this.unselect();
    const title = h('h2', { id: 'debrief-title', class: 'detail-title', tabindex: '-1' }, t('ui.debrief.title'));
    const body = h('div', { id: 'debrief-body' }, h('p', { class: 'muted' }, t('ui.debrief.loading')));
    replace(this.detail, h('section', { id: 'debrief', class: 'debrief', 'aria-labelledby': 'debrief-title' },
      h('header', { class: 'detail-head' }, title), body));
    if (focus) title.focus();
    let d;
    try {
      d = await api(`/api/exercises/${encodeURIComponent(this.ctx.session.exercise)}/debrief`);
    } catch (err) {
      replace(body, h('p', { class: 'form-error' }, t('ui.debrief.failed', { error: errorMessage(err) })));
      return;
    }
    if (!this.detail.contains(body)) return; // the person moved on meanwhile
    this.debrief = d;
    const outcome = (o) => (['met', 'late', 'missed', 'wrong', 'open'].includes(o) ? t(`ui.debrief.outcome.${o}`) : o);
    replace(body,
      h('p', { class: 'debrief-score', id: 'debrief-score', dataset: { score: d.score, max: d.max_score } },
        h('strong', null, `${fmtPoints(d.score)} / ${fmtPoints(d.max_score)}`), ` ${t('ui.debrief.points', { count: d.max_score })}`),
      h('p', { id: 'debrief-tally' }, t('ui.debrief.tally', { met: d.met ?? 0, late: d.late ?? 0, missed: d.missed ?? 0, actions: d.actions ?? 0 })),
      d.reason ? h('p', { class: 'muted' }, t('ui.ended.banner', { at: fmtT(d.now), reason: endReason(d, d.text) })) : null,
      (d.expectations || []).length ? h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('ui.debrief.table') },
        h('table', { class: 'grid compact', id: 'debrief-table' },
          h('thead', null, h('tr', null, ['inject', 'expected', 'outcome', 'points'].map((c, i) => h('th', { scope: 'col', class: i === 3 ? 'num' : null }, t(`ui.debrief.col.${c}`))))),
          h('tbody', null, d.expectations.map((x) => h('tr', { dataset: { inject: x.inject, expectation: x.expectation, outcome: x.outcome } },
            h('td', null, h('span', { class: 'inject-id' }, x.inject), ' ', this.injectTitle(x.inject, x.title)),
            h('td', null, t('ui.debrief.expected', { action: actionLabel(x.action), at: fmtTShort(x.deadline) })),
            h('td', { class: `outcome-${x.outcome}` }, outcome(x.outcome)),
            h('td', { class: 'num' }, `${fmtPoints(x.points)} / ${fmtPoints(x.max_points)}${x.provisional ? ` · ${t('judge.provisional')}` : ''}`)))))) : h('p', { class: 'muted' }, t('ui.debrief.nothing')),
      teamReportLink(this.ctx),
      h('p', { class: 'muted' }, t('ui.debrief.closing')));
  }

  /** injectTitle is an inject's title as the inbox shows it (with its lang), else fallback in the scenario's language. */
  injectTitle(id, fallback) {
    const r = this.injects.get(id);
    const tx = r ? this.text(r) : { title: fallback || '', lang: this.original };
    return contentLang(h('span', null, tx.title), tx.lang);
  }

  renderDetail(r) {
    const c = r.content;
    const tx = this.text(r);
    this.detail.dataset.selectedInject = r.id;
    const titleEl = h('h2', { id: 'detail-title', class: 'detail-title', tabindex: '-1' }, tx.title);
    const bodyEl = h('div', { class: 'md-body', id: 'detail-body' }, renderMarkdown(tx.body));
    contentLang(titleEl, tx.lang);
    contentLang(bodyEl, tx.lang);
    // One click between the page's language and the original, when the
    // scenario translates this inject; else a word on why it is not in the
    // page's language.
    let langSwitch = null;
    if (this.translated(r)) {
      langSwitch = h('button', { type: 'button', id: 'content-lang-toggle', class: 'btn btn-small', 'aria-pressed': String(this.showOriginal), dataset: { original: this.original } },
        t('ui.trainee.show_original', { language: languageName(this.original) }));
      langSwitch.addEventListener('click', () => {
        this.showOriginal = !this.showOriginal;
        store.set(this.originalKey, this.showOriginal);
        langSwitch.setAttribute('aria-pressed', String(this.showOriginal));
        const nt = this.text(r);
        titleEl.textContent = nt.title;
        contentLang(titleEl, nt.lang);
        replace(bodyEl, renderMarkdown(nt.body));
        contentLang(bodyEl, nt.lang);
        for (const x of this.injects.values()) this.paintItem(x);
        this.refreshDetail(r);
      });
    } else if (tx.lang !== i18n.lang) {
      langSwitch = h('span', { class: 'muted small', id: 'content-lang-note' }, t('ui.trainee.not_translated', { language: languageName(tx.lang) }));
    }
    const expList = h('ul', { class: 'exp-list', id: 'detail-expectations' });
    const doneList = h('ol', { class: 'done-list', id: 'detail-actions' });
    const actionsSection = this.buildActions(r);

    const atts = (c.attachments || []).map((a) => {
      if (a.url) return attachmentFile(a, tx.lang || i18n.lang);
      // A focusable region, so long lines scroll from the keyboard too.
      const pre = h('pre', { class: 'attachment-content', tabindex: '0', role: 'region', 'aria-label': t('ui.trainee.attachment', { name: a.name || '' }).trim() }, a.content || '');
      return h('figure', { class: 'attachment', dataset: { kind: a.kind || '' } },
        h('figcaption', null,
          h('span', { class: 'att-name' }, a.name || t('ui.trainee.attachment_default')),
          a.kind ? h('span', { class: 'att-kind' }, a.kind.toUpperCase()) : null,
          copyButton(() => a.content || '', t('ui.copy'), { 'aria-label': t('ui.trainee.copy_named', { name: a.name || t('ui.trainee.attachment_default') }) })),
        pre);
    });

    replace(this.detail,
      h('header', { class: 'detail-head' },
        h('div', { class: 'detail-meta' },
          channelBadge(c.channel),
          h('span', { class: 'detail-from' }, `${t('ui.trainee.from')} `, h('strong', null, this.senderName(c) || t('ui.trainee.unknown_sender'))),
          h('time', { title: fmtT(r.at) }, fmtTShort(r.at)),
          h('span', { class: 'inject-id' }, r.id),
          langSwitch ? h('span', { class: 'lang-switch' }, langSwitch) : null),
        titleEl,
        h('div', { class: 'detail-badges' }, severityBadge(c.severity || r.data.severity), tlpBadge(c.tlp || r.data.tlp))),
      h('section', { class: 'detail-exps', 'aria-labelledby': 'exp-h' },
        h('h3', { id: 'exp-h', class: 'subhead' }, t('ui.trainee.expected')), expList),
      bodyEl,
      atts.length ? h('section', { class: 'attachments', 'aria-label': t('ui.trainee.attachments') }, atts) : null,
      actionsSection,
      h('section', { class: 'detail-done', 'aria-labelledby': 'done-h' },
        h('h3', { id: 'done-h', class: 'subhead' }, t('ui.trainee.done')), doneList));
    this.detailParts = { expList, doneList };
    this.refreshDetail(r);
    if (this.status === 'ended') this.disableActions();
  }

  /** senderName names who sent an inject, in the reader's language when the scenario translates the name. */
  senderName(c) {
    return c.from ? this.ctx.dir.localName(c.from, c.from_name || c.from) : (c.from_name || '');
  }

  refreshDetail(r) {
    const { expList, doneList } = this.detailParts;
    const exps = [...r.exps.values()].sort((a, b) => a.deadline - b.deadline);
    replace(expList, exps.length ? exps.map((x) => {
      let state;
      const why = reasonText(x.why, this.ctx.dir);
      switch (x.state) {
        case 'met': state = h('span', { class: 'exp-state state-met' }, `${t('ui.debrief.outcome.met')}${x.earned !== undefined ? ` (+${fmtPoints(x.earned)})` : ''}${x.provisional ? ` · ${t('judge.provisional')}` : ''}`); break;
        case 'late': state = h('span', { class: 'exp-state state-late' }, `${t('ui.debrief.outcome.late')}${x.earned !== undefined ? ` (+${fmtPoints(x.earned)})` : ''}${x.provisional ? ` · ${t('judge.provisional')}` : ''}`); break;
        case 'missed': state = h('span', { class: 'exp-state state-missed' }, t('ui.debrief.outcome.missed'),
          why ? h('span', { class: 'exp-reason' }, ` — ${why}`) : null); break;
        case 'wrong': state = h('span', { class: 'exp-state state-missed' }, why ? t('ui.trainee.wrong_reason', { reason: why }) : t('ui.debrief.outcome.wrong')); break;
        default: state = countdown(x.deadline, this.ctx.clock);
      }
      return h('li', { class: ['exp', `exp-${x.state}`], dataset: { expectation: x.id, expAction: x.action, state: x.state } },
        h('span', { class: 'exp-action' }, actionLabel(x.action)),
        expText(x, this.contentLang(r)) ? contentLang(h('span', { class: 'exp-text' }, expText(x, this.contentLang(r))), x.translations && x.translations[this.contentLang(r)] ? this.contentLang(r) : this.original) : null,
        h('span', { class: 'exp-due' }, t('ui.trainee.by', { at: fmtTShort(x.deadline) })),
        x.points ? h('span', { class: 'exp-points' }, t('ui.trainee.pts', { count: x.points })) : null,
        state);
    }) : h('li', { class: 'muted' }, this.ctx.exercise.player_view === 'none' ? t('ui.trainee.no_exp_hidden') : t('ui.trainee.no_exp')));

    replace(doneList, r.actions.length ? r.actions.map((ev) => {
      const d = ev.data || {};
      const who = String(ev.actor || '').startsWith('trainee:') ? ev.actor.split(':').slice(2).join(':') : t('ui.trainee.simulated_analyst');
      const parts = [actionLabel(d.action)];
      if (d.category) {
        const category = categoryLabel(this.ctx.exercise.taxonomy, d.category);
        parts.push(t('ui.trainee.done_as', { category: d.severity ? `${category} / ${severityLabel(d.severity).toLowerCase()}` : category }));
      }
      if (d.target) parts.push(t('ui.trainee.done_to', { target: this.ctx.dir.anyName(d.target) }));
      if (d.peers) parts.push(t('ui.trainee.done_with', { peers: d.peers.map((p) => this.ctx.dir.teamName(p)).join(', '), tlp: tlpLabel(d.tlp) }));
      return h('li', { dataset: { seq: ev.seq } },
        h('time', null, fmtTShort(ev.at)), ' ',
        h('strong', null, parts.join(' ')), ` — ${who}`,
        d.text ? h('p', { class: 'done-text' }, d.text) : null);
    }) : h('li', { class: 'muted' }, t('ui.trainee.no_action')));

    // Mark the action buttons of what the team already did.
    const done = new Set(r.actions.map((ev) => ev.data && ev.data.action));
    for (const b of $$('button[data-action]', this.detail)) {
      const isDone = done.has(b.dataset.action);
      b.classList.toggle('did', isDone);
      b.dataset.done = isDone ? 'true' : 'false';
    }
  }

  /* ---------- actions ---------- */

  buildActions(r) {
    const ctx = this.ctx;
    const err = h('p', { class: 'form-error', id: 'action-error', hidden: true, 'aria-live': 'polite' });
    const send = (btn, cmd, doneLabel, after, errorEl = err) => pending(btn, () => ctx.socket.command({ inject: r.id, ...cmd }), { errorEl, socket: ctx.socket, doneLabel })
      .then((res) => { if (res && after) after(); return res; });

    const ack = h('button', { type: 'button', class: 'btn btn-primary', dataset: { action: 'acknowledge' } }, actionLabel('acknowledge'));
    ack.addEventListener('click', () => send(ack, { type: 'acknowledge' }, t('ui.trainee.done.acknowledge')));
    const containNote = h('input', { id: 'contain-note', type: 'text', maxlength: '8000', autocomplete: 'off', placeholder: t('ui.trainee.contain_note_short') });
    const contain = h('button', { type: 'button', class: 'btn', dataset: { action: 'contain' } }, actionLabel('contain'));
    contain.addEventListener('click', () => {
      const cmd = { type: 'contain' };
      if (containNote.value.trim()) cmd.text = containNote.value.trim();
      send(contain, cmd, t('ui.trainee.done.contain'), () => { containNote.value = ''; });
    });

    const forms = {};
    const toggles = {};
    const tabs = h('div', { class: 'action-tabs', role: 'group', 'aria-label': t('ui.trainee.more_actions') });
    const formsWrap = h('div', { class: 'action-forms' });
    for (const a of FORM_ACTIONS) {
      const formId = `${FORM_ID[a]}-form`;
      const tab = h('button', { type: 'button', class: 'btn btn-tab', dataset: { action: a }, 'aria-expanded': 'false', 'aria-controls': formId }, actionLabel(a));
      toggles[a] = tab;
      tabs.appendChild(tab);
      const f = this.buildForm(a, r, send);
      f.hidden = true;
      forms[a] = f;
      formsWrap.appendChild(f);
      tab.addEventListener('click', () => {
        const open = f.hidden;
        for (const k of FORM_ACTIONS) { forms[k].hidden = true; toggles[k].setAttribute('aria-expanded', 'false'); }
        f.hidden = !open;
        tab.setAttribute('aria-expanded', String(open));
        if (open) { const first = f.querySelector('input, select, textarea'); if (first) first.focus(); }
      });
      f.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') { f.hidden = true; tab.setAttribute('aria-expanded', 'false'); tab.focus(); }
      });
      f.closeForm = () => { f.hidden = true; tab.setAttribute('aria-expanded', 'false'); };
    }

    return h('section', { class: 'actions', 'aria-labelledby': 'actions-h' },
      h('h3', { id: 'actions-h', class: 'subhead' }, t('ui.trainee.respond')),
      h('div', { class: 'quick-actions' },
        ack,
        h('div', { class: 'contain-group' },
          contain,
          h('label', { for: 'contain-note', class: 'sr-only' }, t('ui.trainee.contain_note')),
          containNote)),
      tabs, formsWrap, err);
  }

  buildForm(action, r, send) {
    const ctx = this.ctx;
    const { dir } = ctx;
    const p = FORM_ID[action];
    const submit = h('button', { type: 'submit', id: `${p}-submit`, class: 'btn btn-primary' }, actionLabel(action));
    const ferr = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const fieldEl = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id, class: 'field-label' }, label), control);
    const textArea = (id, required) => h('textarea', { id, rows: '3', maxlength: '8000', required });
    const form = h('form', { id: `${p}-form`, class: 'action-form stack', novalidate: true, 'aria-label': actionLabel(action) });
    const fail = (msg, el) => { ferr.textContent = msg; ferr.hidden = false; if (el) el.focus(); };
    const done = () => { form.reset(); form.tlpTouched = false; ferr.hidden = true; if (form.closeForm) form.closeForm(); if (action === 'share') this.updateShareTLP(form); };

    switch (action) {
      case 'classify': {
        const tax = ctx.exercise.taxonomy;
        const cat = categorySelect(tax);
        const sev = h('select', { id: 'classify-severity', required: true }, option('', t('ui.choose')), SEVERITIES.map((s) => option(s, severityLabel(s))));
        form.append(
          h('div', { class: 'row' }, fieldEl('classify-category', t('ui.trainee.category', { taxonomy: (tax && tax.name) || t('ui.trainee.taxonomy') }), cat), fieldEl('classify-severity', t('ui.severity'), sev)),
          ferr, h('div', { class: 'form-actions' }, submit));
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          if (!cat.value) return fail(t('ui.trainee.need.category'), cat);
          if (!sev.value) return fail(t('ui.trainee.need.severity'), sev);
          ferr.hidden = true;
          send(submit, { type: 'classify', category: cat.value, severity: sev.value }, t('ui.trainee.done.classify'), done, ferr);
        });
        break;
      }
      case 'escalate': {
        const target = h('select', { id: 'escalate-target', required: true }, option('', t('ui.choose')), dir.actorList().map((a) => option(a.id, a.name || a.id)));
        const text = textArea('escalate-text', true);
        form.append(fieldEl('escalate-target', t('ui.trainee.escalate_to'), target), fieldEl('escalate-text', t('ui.trainee.message_required'), text), ferr, h('div', { class: 'form-actions' }, submit));
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          if (!target.value) return fail(t('ui.trainee.need.escalate_target'), target);
          if (!text.value.trim()) return fail(t('ui.trainee.need.escalate_text'), text);
          ferr.hidden = true;
          send(submit, { type: 'escalate', target: target.value, text: text.value.trim() }, t('ui.trainee.done.escalate'), done, ferr);
        });
        break;
      }
      case 'share': {
        const peers = ctx.exercise.peers || [];
        const boxes = peers.map((pr) => {
          const id = uid('peer');
          const allowed = (pr.tlp || []).map(normTLP);
          const cb = h('input', { type: 'checkbox', name: 'peer', value: pr.team, id, dataset: { tlp: allowed.join(' ') } });
          cb.addEventListener('change', () => this.updateShareTLP(form));
          return h('label', { class: 'check', for: id }, cb, ' ', pr.name || dir.teamName(pr.team),
            h('span', { class: 'peer-tlp' }, ` (${allowed.map((l) => l.toUpperCase()).join(', ') || t('ui.trainee.no_tlp')})`));
        });
        const tlp = h('select', { id: 'share-tlp', required: true });
        const tlpHint = h('p', { class: 'hint', id: 'share-tlp-hint' });
        const tlpWarn = h('p', { class: 'tlp-warning', id: 'share-tlp-warning', hidden: true, 'aria-live': 'polite' });
        tlp.setAttribute('aria-describedby', 'share-tlp-hint share-tlp-warning');
        tlp.addEventListener('change', () => this.warnShareTLP(form));
        const text = textArea('share-text', false);
        form.append(
          h('fieldset', { class: 'checks' }, h('legend', null, t('ui.trainee.share_with')),
            boxes.length ? boxes : h('p', { class: 'muted' }, t('ui.trainee.no_peers'))),
          h('div', { class: 'field' }, h('label', { for: 'share-tlp', class: 'field-label' }, 'TLP'), tlp, tlpHint, tlpWarn),
          fieldEl('share-text', t('ui.trainee.share_text'), text),
          ferr, h('div', { class: 'form-actions' }, submit));
        form.defaultTLP = normTLP(r.content.tlp || r.data.tlp);
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          const chosen = Array.from(form.querySelectorAll('input[name=peer]:checked'), (i) => i.value);
          if (!chosen.length) return fail(t('ui.trainee.need.peer'), form.querySelector('input[name=peer]'));
          if (!tlp.value) return fail(t('ui.trainee.need.tlp'), tlp);
          ferr.hidden = true;
          const cmd = { type: 'share', peers: chosen, tlp: tlp.value };
          if (text.value.trim()) cmd.text = text.value.trim();
          send(submit, cmd, t('ui.trainee.done.share'), done, ferr);
        });
        this.updateShareTLP(form);
        break;
      }
      case 'request_info': {
        const target = h('select', { id: 'request-target', required: true }, option('', t('ui.choose')),
          h('optgroup', { label: t('ui.actors') }, dir.actorList().map((a) => option(a.id, a.name || a.id))),
          h('optgroup', { label: t('ui.teams') }, dir.teamList().filter((tm) => tm.id !== this.team).map((tm) => option(tm.id, tm.name || tm.id))));
        const text = textArea('request-text', true);
        form.append(fieldEl('request-target', t('ui.trainee.ask'), target), fieldEl('request-text', t('ui.trainee.question_required'), text), ferr, h('div', { class: 'form-actions' }, submit));
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          if (!target.value) return fail(t('ui.trainee.need.ask_target'), target);
          if (!text.value.trim()) return fail(t('ui.trainee.need.question'), text);
          ferr.hidden = true;
          send(submit, { type: 'request_info', target: target.value, text: text.value.trim() }, t('ui.sent'), done, ferr);
        });
        break;
      }
      case 'publish':
      case 'report': {
        const id = `${p}-text`;
        const text = textArea(id, true);
        const label = action === 'publish' ? t('ui.trainee.publish_label') : t('ui.trainee.report_label');
        form.append(fieldEl(id, label, text), ferr, h('div', { class: 'form-actions' }, submit));
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          if (!text.value.trim()) return fail(t(action === 'publish' ? 'ui.trainee.need.publish_text' : 'ui.trainee.need.report_text'), text);
          ferr.hidden = true;
          send(submit, { type: action, text: text.value.trim() }, t(`ui.trainee.done.${action}`), done, ferr);
        });
        break;
      }
      default:
        break;
    }
    return form;
  }

  /**
   * updateShareTLP offers the TLP levels every selected peer's link allows,
   * labels those more open than the inject's own marking as violations
   * (a team may still choose one: the exercise trains that decision), and
   * picks the inject's marking when the links allow it.
   */
  updateShareTLP(form) {
    const tlp = form.querySelector('#share-tlp');
    const hint = form.querySelector('#share-tlp-hint');
    const submit = form.querySelector('#share-submit');
    if (!tlp) return;
    const chosen = Array.from(form.querySelectorAll('input[name=peer]:checked'));
    const prev = tlp.value;
    let allowed;
    if (!chosen.length) {
      const union = new Set();
      for (const cb of form.querySelectorAll('input[name=peer]')) for (const l of cb.dataset.tlp.split(' ').filter(Boolean)) union.add(l);
      allowed = TLP_LEVELS.filter((l) => union.has(l));
    } else {
      allowed = TLP_LEVELS.filter((l) => chosen.every((cb) => cb.dataset.tlp.split(' ').includes(l)));
    }
    const marking = form.defaultTLP;
    const open = (l) => tlpMoreOpen(l, marking);
    replace(tlp, allowed.map((l) => option(l, open(l) ? t('ui.trainee.tlp_more_open', { level: tlpLabel(l), marking: tlpLabel(marking) }) : tlpLabel(l))));
    // Keep a choice the person made; else the inject's own marking, else
    // the most restrictive level the links allow.
    const pick = [form.tlpTouched ? prev : '', marking].find((l) => l && allowed.includes(l)) || allowed[allowed.length - 1] || '';
    tlp.value = pick;
    tlp.disabled = !allowed.length;
    if (hint) {
      hint.textContent = !chosen.length ? t('ui.trainee.tlp_hint_none', { marking: tlpLabel(marking) })
        : allowed.length ? t('ui.trainee.tlp_hint', { marking: tlpLabel(marking), levels: allowed.map((l) => l.toUpperCase()).join(', ') })
          : t('ui.trainee.tlp_hint_empty');
    }
    this.warnShareTLP(form);
    if (submit && submit.dataset.state !== 'pending') submit.disabled = !chosen.length || !allowed.length;
  }

  /** warnShareTLP says plainly when the chosen level is more open than the inject's marking. */
  warnShareTLP(form) {
    const tlp = form.querySelector('#share-tlp');
    const warn = form.querySelector('#share-tlp-warning');
    if (!tlp || !warn) return;
    if (document.activeElement === tlp) form.tlpTouched = true;
    const violation = !!tlp.value && tlpMoreOpen(tlp.value, form.defaultTLP);
    warn.hidden = !violation;
    warn.textContent = violation
      ? `⚠ ${t('ui.trainee.tlp_violation', { marking: tlpLabel(form.defaultTLP), level: tlpLabel(tlp.value) })}`
      : '';
    form.dataset.tlpViolation = violation ? 'true' : 'false';
  }

  /* ---------- shared with us ---------- */

  addShared(ev) {
    const d = ev.data || {};
    this.sharedEmpty.hidden = true;
    const who = String(ev.actor || '').startsWith('trainee:') ? ev.actor.split(':').slice(2).join(':') : '';
    const li = h('li', { class: 'shared-item', dataset: { seq: ev.seq, from: ev.team } },
      h('div', { class: 'shared-meta' },
        h('time', null, fmtTShort(ev.at)), ' ',
        h('strong', null, this.ctx.dir.teamName(ev.team)), who ? ` (${who})` : '', ' ',
        tlpBadge(d.tlp),
        h('span', { class: 'inject-id' }, d.inject || '')),
      d.text ? h('p', { class: 'shared-text' }, d.text) : h('p', { class: 'muted' }, t('ui.trainee.no_text')),
      d.text ? copyButton(() => d.text, t('ui.copy'), { 'aria-label': t('ui.trainee.copy_shared', { team: this.ctx.dir.teamName(ev.team) }) }) : null);
    this.shared.insertBefore(li, this.shared.firstChild);
    if (this.live) announce(t('ui.trainee.shared_announce', { team: this.ctx.dir.teamName(ev.team), tlp: tlpLabel(d.tlp) }));
  }
}

async function main() {
  const ctx = await boot('trainee', ['trainee']);
  if (!ctx.you.team) showError(t('ui.trainee.no_team'));
  new TraineeConsole(ctx);
  mountMessages(ctx);
  mountWall(ctx);
  mountDecisions(ctx);
  new SurveyForm($('#hotwash'), ctx);
  ctx.socket.start();
}

main().catch((err) => { if (!err || !err.handled) console.error(err); });
