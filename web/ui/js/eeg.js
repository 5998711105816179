// Exercise evaluation guides (EEGs) in the evaluator and facilitator
// consoles: one card per objective with its critical tasks and the state
// of the expectations linked to them, the observations and ratings so far,
// the evaluators' reconciled rating and the final one, a P/S/M/U rating
// form (for the lead evaluator, a facilitator, an override form), and one
// form to record an observation linked to events ticked in a list of the
// latest ones. Everything is folded from the event stream: inject.delivered
// (the expectations it opens), expectation.met / missed / wrong, and the
// guides' own eeg.observed, eeg.rated and eeg.overridden.
import { h, option, replace, batched, DRAW_EVERY, PointerUse } from './dom.js';
import { fmtTShort, actorName, eventText } from './format.js';
import { pending } from './page.js';
import { i18n, t, contentLang } from './i18n.js';
import { scenarioLang, objectiveTranslations } from './model.js';

/** GRADES are the HSEEP ratings, best first, as the forms offer them. */
export const GRADES = ['P', 'S', 'M', 'U'];

/** SCALE is the rating scale from worst to best, as the engine ranks it. */
export const SCALE = ['U', 'M', 'S', 'P'];

/** RECENT is how many of the latest events the observation form offers to link. */
export const RECENT = 30;

/** MAX_LINKS is how many events one observation may link (engine.MaxObservedEvents). */
export const MAX_LINKS = 50;

/** EEG_EVENTS are the guides' own event types. */
export const EEG_EVENTS = ['eeg.observed', 'eeg.rated', 'eeg.overridden'];

/**
 * reconcileGrades applies the engine's rule (engine.ReconcileGrades) to an
 * objective's ratings in log order ({by, grade, override}): the latest
 * rating of each evaluator counts; the result is their median on U < M < S
 * < P (the lower middle one for an even count); they disagree when they
 * span more than one step; the latest override wins.
 */
export function reconcileGrades(ratings) {
  const latest = new Map();
  let override = null;
  for (const r of ratings) {
    if (r.override) override = r;
    else latest.set(r.by, r.grade);
  }
  const ranks = [...latest.values()].map((g) => SCALE.indexOf(g)).filter((i) => i >= 0).sort((a, b) => a - b);
  const out = { reconciled: '', raters: ranks.length, disagreement: false, override };
  if (ranks.length) {
    out.reconciled = SCALE[ranks[Math.floor((ranks.length - 1) / 2)]];
    out.disagreement = ranks[ranks.length - 1] - ranks[0] > 1;
  }
  return out;
}

/** finalGrade returns the rating that stands and who gave it ('' and '' when only the mechanical rating exists). */
export function finalGrade(result) {
  if (result.override) return { grade: result.override.grade, source: 'lead_evaluator' };
  if (result.reconciled) return { grade: result.reconciled, source: 'evaluators' };
  return { grade: '', source: '' };
}

/**
 * observeCommand builds an observe command from the form's values, or
 * returns {error} with the catalog key of what is missing or too much
 * (more than MAX_LINKS events ticked).
 */
export function observeCommand({ objective, task = '', team = '', text = '', events = [] }) {
  const body = String(text).trim();
  if (!body) return { error: 'eeg.need_text' };
  const cmd = { type: 'observe', objective, text: body };
  if (team) cmd.team = team;
  const links = [...new Set(events.map(Number))].filter((s) => s > 0).sort((a, b) => a - b);
  if (links.length > MAX_LINKS) return { error: 'eeg.too_many_links' };
  if (task || links.length) {
    cmd.eeg = {};
    if (task) cmd.eeg.task = task;
    if (links.length) cmd.eeg.events = links;
  }
  return { cmd };
}

/** rateCommand builds a rate_objective (or, for the lead, override_rating) command, or returns {error}. */
export function rateCommand({ objective, grade, reason = '', lead = false }) {
  if (!GRADES.includes(grade)) return { error: 'eeg.choose_grade' };
  const text = String(reason).trim();
  if (!text) return { error: 'eeg.need_reason' };
  return { cmd: { type: lead ? 'override_rating' : 'rate_objective', objective, text, eeg: { grade } } };
}

/**
 * ExpectationStates folds the stream into the state of each expectation
 * instance (INJECT.EXPECTATION@TEAM): open once delivered, then met or
 * missed. summary(ref) counts them for INJECT.EXPECTATION across teams.
 */
export class ExpectationStates {
  constructor() { this.state = new Map(); }

  add(ev) {
    const d = ev.data || {};
    const key = (id) => `${d.inject}.${id}@${ev.team}`;
    switch (ev.type) {
      case 'inject.delivered':
        for (const x of d.expectations || []) if (!this.state.has(key(x.id))) this.state.set(key(x.id), 'open');
        break;
      case 'expectation.met': this.state.set(key(d.expectation), 'met'); break;
      case 'expectation.missed': this.state.set(key(d.expectation), 'missed'); break;
      default: break;
    }
  }

  summary(ref) {
    const out = { met: 0, missed: 0, open: 0 };
    for (const [k, s] of this.state) if (k.slice(0, k.lastIndexOf('@')) === ref) out[s] += 1;
    return out;
  }
}

/**
 * clearSent empties the observation form of what was sent: the text, when
 * it is still the text sent, and the ticks of the sent events. What the
 * evaluator typed or ticked while the command was on its way stays.
 */
export function clearSent({ text, boxes }, sent) {
  if (text.value === sent.text) text.value = '';
  for (const box of boxes) if (sent.events.includes(Number(box.value))) box.checked = false;
}

/**
 * linkChoices lists the events the observation form offers to link, newest
 * first: the recent ones, and each ticked one that newer events have
 * pushed out of them, so that a tick is never lost before it is sent.
 */
export function linkChoices(recent, ticked) {
  const seqs = new Set(recent.map((e) => e.seq));
  return [...recent, ...ticked.filter((e) => !seqs.has(e.seq))].sort((a, b) => b.seq - a.seq);
}

/** linkable reports whether an event may be linked from an observation: any but the guides' own. */
export function linkable(ev) {
  return !!ev && ev.seq > 0 && !EEG_EVENTS.includes(ev.type);
}

export class EEGPanel {
  /**
   * @param {HTMLElement} root container
   * @param {object} ctx the page context (exercise, dir, socket)
   * @param {object} opts lead: the sender is the lead evaluator (overrides)
   */
  constructor(root, ctx, { lead = false } = {}) {
    this.ctx = ctx;
    this.lead = lead;
    this.exps = new ExpectationStates();
    this.recent = [];
    this.objectives = (ctx.exercise.objectives || []).map((o) => ({
      id: o.id, text: o.text, translations: objectiveTranslations(ctx.exercise, o.id), tasks: ((ctx.exercise.critical_tasks || {})[o.id]) || [], ratings: [], observations: [],
    }));
    // A staff page of a large exercise receives thousands of events a
    // second: the lists they change are drawn a few times a second.
    this.drawLinksSoon = batched(() => this.drawLinks(), DRAW_EVERY);
    this.drawTasksSoon = batched(() => {
      for (const x of this.objectives) if (x.tasks.length) this.renderTasks(x);
    }, DRAW_EVERY);
    this.byId = new Map(this.objectives.map((o) => [o.id, o]));
    this.linkList = h('ul', { class: 'eeg-links', id: 'eeg-links' }, h('li', { class: 'muted' }, t('eeg.no_events')));
    // The events the list shows, by seq; drawn again once the evaluator leaves it (see drawLinks).
    this.shownLinks = new Map();
    this.linksStale = false;
    this.heldNote = h('p', { class: 'hint eeg-links-held', hidden: true, 'aria-live': 'polite' }, t('eeg.links_held'));
    // Never drawn while the pointer uses the list, nor between a press and
    // its click: a focusout on a press would move what is about to be
    // clicked (a label, the submit button). See PointerUse.
    const drawIfLeft = () => { if (this.linksStale) this.drawLinks(); };
    this.linkUse = new PointerUse(this.linkList, drawIfLeft);
    this.linkList.addEventListener('focusout', (e) => { if (!this.linkList.contains(e.relatedTarget)) drawIfLeft(); });
    replace(root,
      h('p', { class: 'hint' }, t('eeg.hint')),
      lead ? h('p', { class: 'hint' }, t('eeg.lead_hint')) : null,
      this.observeForm(),
      h('div', { class: 'eeg-objectives', id: 'eeg-objectives' }, this.objectives.map((o) => this.card(o))));
  }

  /** text returns a scenario text in the console's language when translated, with its lang attribute. */
  localText(el, text, translations) {
    const tr = translations && translations[i18n.lang];
    el.textContent = tr || text || '';
    return tr ? el : contentLang(el, scenarioLang(this.ctx));
  }

  observeForm() {
    const { dir } = this.ctx;
    const labelled = (o) => Object.fromEntries(Object.entries(o.translations).map(([l, v]) => [l, `${o.id} — ${v}`]));
    const objective = h('select', { id: 'eeg-objective' }, this.objectives.map((o) => this.localText(option(o.id, ''), `${o.id} — ${o.text}`, labelled(o))));
    const task = h('select', { id: 'eeg-task' });
    const fillTasks = () => {
      const o = this.byId.get(objective.value);
      replace(task, option('', t('eeg.task_none')), ((o && o.tasks) || []).map((k) => this.localText(option(k.id, ''), `${k.id} — ${k.text}`, k.translations && Object.fromEntries(Object.entries(k.translations).map(([l, v]) => [l, `${k.id} — ${v}`])))));
    };
    objective.addEventListener('change', fillTasks);
    fillTasks();
    this.taskSel = task;
    this.objectiveSel = objective;
    const team = h('select', { id: 'eeg-team' }, option('', t('eeg.team_none')), dir.teamList().map((x) => option(x.id, x.name || x.id)));
    const text = h('textarea', { id: 'eeg-text', rows: '3', maxlength: '8000' });
    const err = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', id: 'eeg-observe', class: 'btn btn-primary' }, t('eeg.observe'));
    const form = h('form', { id: 'eeg-observe-form', class: 'stack', novalidate: true },
      h('div', { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: 'eeg-objective', class: 'field-label' }, t('eeg.objective')), objective),
        h('div', { class: 'field' }, h('label', { for: 'eeg-task', class: 'field-label' }, t('eeg.task')), task),
        h('div', { class: 'field' }, h('label', { for: 'eeg-team', class: 'field-label' }, t('eeg.team')), team)),
      h('div', { class: 'field' }, h('label', { for: 'eeg-text', class: 'field-label' }, t('eeg.observation')), text),
      h('fieldset', { class: 'eeg-links-fieldset' },
        h('legend', null, t('eeg.link_events')),
        h('p', { class: 'hint' }, t('eeg.link_hint', { count: RECENT })),
        this.linkList,
        this.heldNote),
      err,
      h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const events = [...this.linkList.querySelectorAll('input:checked')].map((c) => Number(c.value));
      const { cmd, error } = observeCommand({ objective: objective.value, task: task.value, team: team.value, text: text.value, events });
      if (error) { err.textContent = t(error, { count: MAX_LINKS }); err.hidden = false; text.focus(); return; }
      const sentText = text.value;
      const ok = await pending(submit, () => this.ctx.socket.command(cmd), { errorEl: err, socket: this.ctx.socket, doneLabel: t('eeg.observed') });
      if (ok) clearSent({ text, boxes: this.linkList.querySelectorAll('input:checked') }, { text: sentText, events: cmd.eeg?.events ?? [] });
    });
    // The lead mostly overrides: the observation form starts folded there.
    return h('details', { class: 'eeg-observe', id: 'eeg-observe-wrap', open: !this.lead },
      h('summary', null, h('h3', { class: 'eeg-h' }, t('eeg.observe_heading'))), form);
  }

  card(o) {
    o.status = h('div', { class: 'eeg-status', 'aria-live': 'polite' });
    o.taskList = h('ul', { class: 'eeg-tasks' });
    o.obsList = h('ul', { class: 'eeg-observations' });
    o.ratingList = h('ul', { class: 'eeg-ratings' });
    o.el = h('section', { class: 'eeg-card', id: `eeg-${o.id}`, dataset: { objective: o.id }, 'aria-labelledby': `eeg-${o.id}-h` },
      h('h3', { class: 'eeg-title', id: `eeg-${o.id}-h` }, `${o.id} `, this.localText(h('span'), o.text, o.translations)),
      o.status,
      h('p', { class: 'judge-label' }, t('eeg.tasks')),
      o.tasks.length ? o.taskList : h('p', { class: 'muted' }, t('eeg.no_tasks')),
      o.obsList, o.ratingList,
      this.rateForm(o));
    this.render(o);
    return o.el;
  }

  rateForm(o) {
    const p = `eeg-rate-${o.id}`;
    const err = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const radios = GRADES.map((g) => h('label', { class: ['judge-rating', `eeg-grade-${g}`], for: `${p}-${g}`, title: t(`rating.${g}`) },
      h('input', { type: 'radio', name: p, id: `${p}-${g}`, value: g }), h('span', null, g)));
    const reason = h('textarea', { id: `${p}-reason`, class: 'eeg-reason', rows: '2', maxlength: '8000' });
    const label = this.lead ? t('eeg.override') : t('eeg.rate');
    const submit = h('button', { type: 'submit', class: 'btn btn-primary eeg-rate-submit' }, label);
    const form = h('form', { class: 'eeg-rate stack', id: p, novalidate: true },
      h('fieldset', { class: 'judge-fieldset' },
        h('legend', null, t(this.lead ? 'eeg.override_legend' : 'eeg.rate_legend', { objective: o.id })),
        h('div', { class: 'judge-ratings', role: 'radiogroup', 'aria-label': t('judge.rating') }, radios),
        h('div', { class: 'field' }, h('label', { for: `${p}-reason`, class: 'field-label' }, t('eeg.reason')), reason)),
      err,
      h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const grade = (form.querySelector(`input[name="${p}"]:checked`) || {}).value;
      const { cmd, error } = rateCommand({ objective: o.id, grade, reason: reason.value, lead: this.lead });
      if (error) { err.textContent = t(error); err.hidden = false; (grade ? reason : radios[0].querySelector('input')).focus(); return; }
      const ok = await pending(submit, () => this.ctx.socket.command(cmd), { errorEl: err, socket: this.ctx.socket, doneLabel: this.lead ? t('eeg.overridden') : t('eeg.rated') });
      if (ok) reason.value = '';
    });
    return form;
  }

  /** add takes an event message. */
  add(msg) {
    const ev = msg.event || msg;
    const d = ev.data || {};
    this.exps.add(ev);
    if (linkable(ev)) this.remember(ev);
    const o = this.byId.get(d.objective);
    switch (ev.type) {
      case 'expectation.met':
      case 'expectation.missed':
      case 'inject.delivered':
        this.drawTasksSoon();
        return;
      case 'eeg.observed':
        if (o && !o.observations.some((x) => x.seq === ev.seq)) { o.observations.push(ev); this.render(o); }
        return;
      case 'eeg.rated':
      case 'eeg.overridden':
        if (o && !o.ratings.some((x) => x.seq === ev.seq)) {
          o.ratings.push({ seq: ev.seq, at: ev.at, by: ev.actor, grade: (d.eeg || {}).grade, reason: d.text || '', override: ev.type === 'eeg.overridden' });
          this.render(o);
        }
        return;
      default:
    }
  }

  /** remember adds an event to the list the observation form links from, newest first. */
  remember(ev) {
    if (this.recent.some((e) => e.seq === ev.seq)) return;
    this.recent.push(ev);
    this.recent.sort((a, b) => b.seq - a.seq);
    this.recent = this.recent.slice(0, RECENT);
    this.drawLinksSoon();
  }

  /**
   * drawLinks shows the recent events to link, keeping the ticked ones
   * ticked and listed. While the keyboard is in the list, the pointer over
   * it or a press under way (a finger or pen, which neither hovers nor
   * focuses a box it taps) the list holds still, so that a box does not
   * move under the evaluator's hand; it is drawn when they leave it or
   * lift the finger.
   */
  drawLinks() {
    const inList = this.linkList.contains(document.activeElement) || this.linkUse.over;
    const pressing = this.linkUse.pressing();
    const held = pressing || inList;
    this.linksStale = held;
    // Nothing moves during a press, the note included (it would push down
    // the submit button being pressed); the release draws again.
    if (!pressing) this.heldNote.hidden = !inList;
    if (held) return;
    const ticked = [...this.linkList.querySelectorAll('input:checked')].map((c) => this.shownLinks.get(Number(c.value))).filter(Boolean);
    const checked = new Set(ticked.map((e) => e.seq));
    const choices = linkChoices(this.recent, ticked);
    this.shownLinks = new Map(choices.map((e) => [e.seq, e]));
    replace(this.linkList, choices.map((e) => {
      const id = `eeg-link-${e.seq}`;
      return h('li', { dataset: { seq: e.seq } },
        h('input', { type: 'checkbox', id, value: String(e.seq), checked: checked.has(e.seq), 'aria-label': t('eeg.link_event', { seq: e.seq }) }),
        h('label', { for: id }, h('span', { class: 'eeg-seq' }, `#${e.seq}`), ' ', h('time', null, fmtTShort(e.at || 0)), ' ', eventText(e, this.ctx.dir)));
    }));
  }

  renderTasks(o) {
    replace(o.taskList, o.tasks.map((k) => {
      const mine = o.observations.filter((x) => ((x.data || {}).eeg || {}).task === k.id);
      return h('li', { class: 'eeg-task', dataset: { task: k.id } },
        h('strong', null, k.id), ' ', this.localText(h('span'), k.text, k.translations),
        h('ul', { class: 'eeg-exps small' }, (k.expectations || []).map((ref) => {
          const s = this.exps.summary(ref);
          return h('li', { dataset: { ref, met: s.met, missed: s.missed, open: s.open } }, t('eeg.exp_summary', { expectation: ref, ...s }));
        })),
        mine.length ? h('ul', { class: 'eeg-task-observations small' }, mine.map((x) => this.observationItem(x))) : null);
    }));
  }

  observationItem(ev) {
    const d = ev.data || {};
    const links = (d.eeg || {}).events || [];
    return h('li', { dataset: { seq: ev.seq } },
      t('eeg.observation_by', { who: actorName(ev.actor, this.ctx.dir), at: fmtTShort(ev.at || 0), text: d.text || '' }),
      ev.team ? ` (${this.ctx.dir.teamName(ev.team)})` : '',
      links.length ? h('span', { class: 'muted eeg-linked' }, ` — ${t('eeg.linked', { list: links.map((s) => `#${s}`).join(', ') })}`) : null);
  }

  render(o) {
    const dir = this.ctx.dir;
    const r = reconcileGrades(o.ratings);
    const fin = finalGrade(r);
    o.el.dataset.final = fin.grade;
    o.el.dataset.source = fin.source;
    o.el.dataset.disagreement = String(r.disagreement);
    replace(o.status,
      fin.grade
        ? h('p', { class: 'eeg-final' }, h('strong', { class: 'eeg-grade' }, t('eeg.final', { grade: fin.grade, source: t(`eeg.source.${fin.source}`) })),
          h('span', { class: 'muted' }, ` — ${t(`rating.${fin.grade}`)}`))
        : h('p', { class: 'muted eeg-final' }, t('eeg.not_rated')),
      r.raters ? h('p', { class: 'small' }, t('eeg.reconciled', { grade: r.reconciled, count: r.raters })) : null,
      r.disagreement && !r.override ? h('p', { class: 'judge-flag', role: 'status' }, t('eeg.disagreement')) : null);
    if (o.tasks.length) this.renderTasks(o);
    const general = o.observations.filter((x) => !((x.data || {}).eeg || {}).task);
    replace(o.obsList, general.length ? [h('li', { class: 'judge-label' }, t('eeg.observations')), general.map((x) => this.observationItem(x))] : null);
    replace(o.ratingList, o.ratings.length ? [h('li', { class: 'judge-label' }, t('eeg.ratings')), o.ratings.map((x) => h('li', { dataset: { seq: x.seq, override: String(x.override) } },
      t(x.override ? 'eeg.override_by' : 'eeg.rating_by', { who: actorName(x.by, dir), grade: x.grade, reason: x.reason })))] : null);
  }
}
