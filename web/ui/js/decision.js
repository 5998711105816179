// Decision points: the card a team decides on (a choice taken by the first
// trainee who answers, or a vote of the team's trainees until the
// deadline), and the facilitator's view of every team's live votes with a
// way to force a choice. Decisions arrive with their inject
// (inject.delivered's inject.decision) and move on with decision.opened,
// decision.voted and decision.made. Every text goes through t() (keys
// decision.*).
//
// Test hooks: #decisions (data-count), article.decision-card
// [data-decision][data-team][data-state=open|made], .decision-choice
// [data-choice] (a radio), .decision-submit, .decision-votes li[data-choice]
// [data-votes], .decision-result[data-choice][data-cause], and for staff
// .decision-force select and .decision-force button.
import { h, option, replace, placeInOrder, PointerUse } from './dom.js';
import { announce, pending, relabel } from './page.js';
import { fmtTShort } from './format.js';
import { countdown } from './countdown.js';
import { renderMarkdown } from './markdown.js';
import { i18n, t, contentLang } from './i18n.js';

/* ---------- pure functions ---------- */

/** newDecisions returns an empty decision store: views by decision id, and one record per decision and team. */
export function newDecisions() {
  return { views: new Map(), records: new Map() };
}

/** recordOf returns (creating it) the record of decision id for team. */
function recordOf(store, id, team) {
  const key = `${id}@${team}`;
  let r = store.records.get(key);
  if (!r) {
    r = { id, team, inject: '', opened: 0, deadline: 0, votes: new Map(), made: null, seq: 0 };
    store.records.set(key, r);
  }
  return r;
}

/**
 * foldDecision folds one server event message into the store and returns
 * the record it changed, or null.
 */
export function foldDecision(store, msg) {
  const ev = (msg && msg.event) || {};
  const d = (ev.data || {});
  if (ev.type === 'inject.delivered' && msg.inject && msg.inject.decision) {
    store.views.set(msg.inject.decision.id, { ...msg.inject.decision, inject: msg.inject.id, title: msg.inject.title, titles: msg.inject.translations || {} });
    return null;
  }
  const dp = d.decision_point;
  if (!dp || !ev.team) return null;
  const r = recordOf(store, dp.id, ev.team);
  r.seq = Math.max(r.seq, ev.seq || 0);
  switch (ev.type) {
    case 'decision.opened':
      r.inject = d.inject || r.inject;
      r.opened = ev.at || 0;
      r.deadline = d.deadline || 0;
      return r;
    case 'decision.voted':
      r.votes.set(ev.actor, dp.choice);
      return r;
    case 'decision.made':
      r.made = { choice: dp.choice, cause: dp.cause, by: ev.actor, at: ev.at || 0, votes: dp.votes || null };
      return r;
  }
  return null;
}

/** tally counts a record's votes per choice of view, in the view's order (the final count once made by a vote). */
export function tally(view, record) {
  const choices = (view && view.choices) || [];
  if (record.made && record.made.votes) return choices.map((c) => ({ choice: c.id, votes: (record.made.votes.find((v) => v.choice === c.id) || {}).votes || 0 }));
  const counts = new Map(choices.map((c) => [c.id, 0]));
  for (const choice of record.votes.values()) if (counts.has(choice)) counts.set(choice, counts.get(choice) + 1);
  return choices.map((c) => ({ choice: c.id, votes: counts.get(c.id) }));
}

/** promptIn and labelIn give a decision's prompt and a choice's label in lang when translated. */
export function promptIn(view, lang) {
  return (view.translations && view.translations[lang]) || view.prompt;
}
export function labelIn(choice, lang) {
  return (choice.translations && choice.translations[lang]) || choice.label;
}

/* ---------- the panel ---------- */

export class DecisionPanel {
  /** ctx is the page context; host the element the panel fills. With canForce, staff may force a choice. */
  constructor(ctx, host, { canForce = false } = {}) {
    this.ctx = ctx;
    this.host = host;
    this.staff = ctx.you.role !== 'trainee';
    this.canForce = canForce;
    this.store = newDecisions();
    this.live = false;
    // key (decision@team) → the card drawn: {el, state, update(record)}.
    // An open card is updated in place as votes come, so that the radio a
    // trainee is pressing, or the choice a facilitator has selected to
    // force, is never replaced under them.
    this.cards = new Map();
    this.list = h('div', { class: 'decision-list' });
    // While the pointer uses the cards (over them, pressing; see
    // PointerUse) they keep their order (a card decided goes to the end, a
    // new one comes first): a card moving would put another team's "Force"
    // under the pointer. They take it when the pointer is done with them.
    this.orderWaits = false;
    this.pointerUse = new PointerUse(this.list, () => { if (this.orderWaits) this.render(); });
    this.empty = h('p', { class: 'muted' }, t(this.staff ? 'decision.empty_staff' : 'decision.empty'));
    host.id = 'decisions';
    host.classList.add('decision-panel');
    host.setAttribute('aria-labelledby', 'decisions-h');
    replace(host, h('h2', { id: 'decisions-h' }, t('decision.heading')), this.list, this.empty);
    ctx.socket.on('event', (m) => this.onEvent(m));
    ctx.socket.on('caught_up', () => { this.live = true; });
    this.render();
  }

  onEvent(m) {
    const r = foldDecision(this.store, m);
    if (!r) return;
    if (!this.staff && r.team !== this.ctx.you.team) return;
    this.render();
    const view = this.store.views.get(r.id);
    if (this.live && view && m.event.type === 'decision.opened' && !this.staff) announce(t('decision.announce_open', { prompt: promptIn(view, i18n.lang) }));
    if (this.live && view && m.event.type === 'decision.made') {
      const c = view.choices.find((x) => x.id === r.made.choice);
      announce(t('decision.announce_made', { team: this.ctx.dir.teamName(r.team), choice: c ? labelIn(c, i18n.lang) : r.made.choice }));
    }
  }

  records() {
    return [...this.store.records.values()]
      .filter((r) => this.store.views.has(r.id) && (this.staff || r.team === this.ctx.you.team))
      .sort((a, b) => (a.made ? 1 : 0) - (b.made ? 1 : 0) || b.opened - a.opened || a.team.localeCompare(b.team));
  }

  render() {
    const recs = this.records();
    this.host.dataset.count = String(recs.length);
    this.empty.hidden = recs.length > 0;
    this.host.hidden = !this.staff && recs.length === 0;
    let focusNow = null;
    const els = recs.map((r) => {
      const key = `${r.id}@${r.team}`;
      const state = r.made ? 'made' : 'open';
      const drawn = this.cards.get(key);
      if (drawn && drawn.state === state) {
        drawn.update(r);
        return drawn.el;
      }
      const card = this.card(r, key);
      // The keyboard was on the form the decision replaced: it goes to the result.
      if (drawn && drawn.el.contains(document.activeElement)) focusNow = card.focusTarget;
      this.cards.set(key, card);
      return card.el;
    });
    this.orderWaits = this.pointerUse.inUse();
    if (this.orderWaits) this.keepOrder(els);
    else placeInOrder(this.list, els);
    if (focusNow) focusNow.focus();
  }

  /**
   * keepOrder puts the cards els in the list without moving those already
   * there: a card drawn anew takes its old one's place, a new card goes
   * at the end.
   */
  keepOrder(els) {
    const want = new Set(els);
    for (const el of els) {
      if (el.parentNode === this.list) continue;
      const old = [...this.list.children].find((c) => !want.has(c) && c.dataset.decision === el.dataset.decision && c.dataset.team === el.dataset.team);
      if (old) old.replaceWith(el);
      else this.list.appendChild(el);
    }
  }

  /** card draws record r: the card's element, its state and how to update it in place. */
  card(r, key) {
    const view = this.store.views.get(r.id);
    const lang = i18n.lang;
    const titleId = `decision-${r.id}-${r.team}`;
    const prompt = contentLang(h('div', { class: 'md-body decision-prompt', id: titleId }, renderMarkdown(promptIn(view, lang))),
      view.translations && view.translations[lang] ? lang : null);
    const head = h('header', { class: 'decision-head' },
      h('span', { class: 'badge' }, t(view.by === 'vote' ? 'decision.by_vote' : 'decision.by_team')),
      this.staff ? h('strong', { class: 'decision-team' }, this.ctx.dir.teamName(r.team)) : null,
      h('span', { class: 'muted' }, t('decision.inject', { inject: view.inject })),
      r.made ? null : h('span', { class: 'decision-deadline' }, t('decision.deadline', { at: fmtTShort(r.deadline) }), ' ', countdown(r.deadline)));
    const votes = view.by === 'vote' ? h('ul', { class: 'decision-votes', 'aria-label': t('decision.votes') }) : null;
    const body = r.made ? this.result(view, r) : (this.staff ? this.force(view, r) : this.form(view, r, key));
    const el = h('article', { class: 'decision-card', 'aria-labelledby': titleId, dataset: { decision: r.id, team: r.team, state: r.made ? 'made' : 'open' } },
      head, prompt, votes, body.el);
    const update = (rec) => {
      if (votes) this.drawVotes(votes, view, rec);
      if (body.update) body.update(rec);
    };
    update(r);
    return { el, state: r.made ? 'made' : 'open', update, focusTarget: body.el };
  }

  /** drawVotes writes the count of each choice into the list votes. */
  drawVotes(votes, view, r) {
    const lang = i18n.lang;
    const counts = tally(view, r);
    const same = votes.children.length === counts.length && counts.every((c, i) => votes.children[i].dataset.votes === String(c.votes));
    if (same) return;
    replace(votes, counts.map((c) => {
      const choice = view.choices.find((x) => x.id === c.choice);
      return h('li', { dataset: { choice: c.choice, votes: String(c.votes) } }, `${labelIn(choice, lang)}: `, h('strong', null, t('decision.vote_count', { count: c.votes })));
    }));
  }

  result(view, r) {
    const c = view.choices.find((x) => x.id === r.made.choice);
    const el = h('p', { class: 'decision-result', tabindex: '-1', dataset: { choice: r.made.choice, cause: r.made.cause } },
      t('decision.made', { choice: c ? labelIn(c, i18n.lang) : r.made.choice, at: fmtTShort(r.made.at) }), ' ',
      h('span', { class: 'muted' }, t(`decision.cause.${r.made.cause}`)));
    return { el };
  }

  /** form is a trainee's vote or decision; update shows the trainee's own vote as it is counted. */
  form(view, r, key) {
    const name = `decision-${key}`;
    const radios = view.choices.map((c) => {
      const id = `${name}-${c.id}`;
      return { input: h('input', { type: 'radio', name, id, value: c.id, class: 'decision-choice', dataset: { choice: c.id } }), choice: c };
    });
    const err = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const mineEl = h('p', { class: 'hint decision-mine', hidden: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary decision-submit' }, t(view.by === 'vote' ? 'decision.vote' : 'decision.decide'));
    const el = h('form', { class: 'stack decision-form', novalidate: true },
      h('fieldset', null, h('legend', { class: 'sr-only' }, t('decision.choices')),
        radios.map(({ input, choice }) => h('div', { class: 'radio-row' }, input, h('label', { for: input.id }, labelIn(choice, i18n.lang))))),
      mineEl, err, h('div', { class: 'form-actions' }, submit));
    el.addEventListener('submit', (e) => {
      e.preventDefault();
      const picked = radios.find(({ input }) => input.checked);
      if (!picked) { err.textContent = t('decision.need_choice'); err.hidden = false; return; }
      err.hidden = true;
      const type = view.by === 'vote' ? 'vote' : 'decide';
      pending(submit, () => this.ctx.socket.command({ type, decision_point: { id: r.id, choice: picked.choice.id } }), { errorEl: err, socket: this.ctx.socket });
    });
    // The radios follow the trainee's own vote (counted from another tab, or
    // replayed after a reload) until the trainee picks a choice here.
    let touched = false;
    for (const { input } of radios) input.addEventListener('change', () => { touched = true; });
    let shown;
    const update = (rec) => {
      const mine = rec.votes.get(`trainee:${rec.team}:${this.ctx.you.name || ''}`) || '';
      if (mine === shown) return;
      shown = mine;
      const checked = radios.find(({ input }) => input.checked);
      if (checked && checked.choice.id === mine) touched = false;
      if (!touched) for (const { input, choice } of radios) input.checked = choice.id === mine;
      mineEl.hidden = !mine;
      mineEl.textContent = mine ? t('decision.your_vote', { choice: labelIn(view.choices.find((c) => c.id === mine) || { label: mine }, i18n.lang) }) : '';
      if (view.by === 'vote') relabel(submit, t(mine ? 'decision.change_vote' : 'decision.vote'));
    };
    return { el, update };
  }

  force(view, r) {
    if (!this.canForce) return { el: h('p', { class: 'muted' }, t('decision.open')) };
    const id = `decision-force-${r.id}-${r.team}`;
    const select = h('select', { id }, view.choices.map((c) => option(c.id, labelIn(c, i18n.lang))));
    const err = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const btn = h('button', { type: 'submit', class: 'btn btn-small' }, t('decision.force'));
    const el = h('form', { class: 'row decision-force', novalidate: true },
      h('label', { for: id, class: 'field-label' }, t('decision.force_label')), select, btn, err);
    el.addEventListener('submit', (e) => {
      e.preventDefault();
      pending(btn, () => this.ctx.socket.command({ type: 'decide', team: r.team, decision_point: { id: r.id, choice: select.value } }), { errorEl: err, socket: this.ctx.socket });
    });
    return { el };
  }
}

/** mountDecisions fills the page's #decisions section (created when missing). Call it before ctx.socket.start(). */
export function mountDecisions(ctx, { canForce = false } = {}) {
  let host = document.getElementById('decisions');
  if (!host) {
    host = h('section', { class: 'panel' });
    (document.querySelector('.col-side') || document.querySelector('main')).prepend(host);
  }
  return new DecisionPanel(ctx, host, { canForce });
}
