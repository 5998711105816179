// The "To judge" queue of the evaluator and facilitator consoles: the
// answers to judged expectations, oldest first, each with the team's text,
// what was asked, the staff-only criteria and the events around it, and a
// form to rate it (met / partly / not met, points, comment). A
// facilitator's judgement is the lead evaluator's decision. Everything is
// folded from the event stream: expectation.met (provisional), the team's
// actions and messages, expectation.judged and expectation.scored.
//
// An item someone is judging here (the keyboard in it, or a judgement
// begun) stays where it is when a colleague's judgement settles it: it is
// marked as judged by them and moves once this judge sends, dismisses the
// mark or, with nothing begun, leaves it. Nothing moves between a press and
// its click either.
//
// Test hooks: #judge-count (data-count), #judge-queue and #judge-done
// li.judge-item[data-key][data-state][data-disagreement][data-held],
// .judge-points, .judge-comment, .judge-submit, .judge-held (the mark) and
// .judge-held-dismiss.
import { h, replace, PointerUse } from './dom.js';
import { fmtTShort, fmtPoints, actionLabel, actorName, eventText } from './format.js';
import { pending } from './page.js';
import { t } from './i18n.js';

export const RATINGS = ['met', 'partly', 'not_met'];

/** defaultPoints is what a rating gives when the judge does not change the points (as the engine does). */
export function defaultPoints(rating, max) {
  if (rating === 'met') return max;
  if (rating === 'partly') return Math.round((max / 2) * 100) / 100;
  return 0;
}

/** hasJudged reports whether the exercise's MSEL lists any judged expectation. */
export function hasJudged(exercise) {
  return ((exercise && exercise.msel) || []).some((m) => (m.judged || []).length > 0);
}

/**
 * RECENT_ANSWERS is how many of the latest actions and messages the queue
 * holds to find an answer in: the engine records an answer to a judged
 * expectation just before the expectation.met that opens its item.
 */
export const RECENT_ANSWERS = 1000;

/**
 * JudgedContext keeps what the queue shows beside an answer: what was
 * asked and the events around it, for the deliveries that opened a judged
 * expectation only, and the latest actions to find the answer among. A
 * staff page of a long, large exercise would otherwise hold every team's
 * every action.
 */
export class JudgedContext {
  constructor(recent = RECENT_ANSWERS) {
    this.recent = recent;
    this.asked = new Map(); // team/inject/expectation → {text, criteria, action}
    this.actions = new Map(); // seq → team.action or message.sent, the latest only
    this.around = new Map(); // team/inject → events
  }

  /** add takes an event message (with its inject, for deliveries); it keeps what concerns a judged expectation. */
  add(msg) {
    const ev = msg.event || msg;
    const d = ev.data || {};
    switch (ev.type) {
      case 'inject.delivered': {
        const judged = ((msg.inject && msg.inject.expectations) || []).filter((x) => x.judged);
        if (!ev.team || !d.inject || !judged.length) return;
        for (const x of judged) {
          this.asked.set(`${ev.team}/${d.inject}/${x.id}`, { text: x.text || '', criteria: x.criteria || '', action: x.action });
        }
        const key = `${ev.team}/${d.inject}`;
        if (this.around.has(key)) this.around.get(key).push(ev);
        else this.around.set(key, [ev]);
        return;
      }
      case 'team.action':
      case 'message.sent': {
        this.actions.set(ev.seq, ev);
        // A Map iterates in insertion order: the first key is the oldest.
        if (this.actions.size > this.recent) this.actions.delete(this.actions.keys().next().value);
        const around = d.inject && this.around.get(`${ev.team}/${d.inject}`);
        if (around) around.push(ev);
        return;
      }
      default:
    }
  }

  /** question returns what an expectation of a team's inject asked ({} when unknown). */
  question(team, inject, expectation) {
    return this.asked.get(`${team}/${inject}/${expectation}`) || {};
  }

  /** answer returns the action or message of seq, when it is among the latest. */
  answer(seq) {
    return this.actions.get(seq);
  }

  /** eventsAround returns the events of a team's inject: its delivery, the team's actions and messages. */
  eventsAround(team, inject) {
    return this.around.get(`${team}/${inject}`) || [];
  }
}

export class JudgeQueue {
  /**
   * @param {HTMLElement} root container
   * @param {object} ctx the page context (dir, socket)
   * @param {object} opts canJudge (show the forms), lead (judgements are decisions)
   */
  constructor(root, ctx, { canJudge = false, lead = false } = {}) {
    this.ctx = ctx;
    this.canJudge = canJudge;
    this.lead = lead;
    this.items = new Map();
    this.context = new JudgedContext();
    this.n = 0;
    this.count = h('p', { class: 'judge-count', id: 'judge-count', 'aria-live': 'polite' }, t('judge.queue_count', { count: 0 }));
    this.todo = h('ol', { class: 'judge-list', id: 'judge-queue' });
    this.empty = h('p', { class: 'muted judge-empty' }, t('judge.empty'));
    this.done = h('ol', { class: 'judge-list', id: 'judge-done' });
    this.doneWrap = h('details', { class: 'judge-done-wrap', hidden: true },
      h('summary', null, h('h3', { class: 'judge-done-h' }, t('judge.done_heading'))), this.done);
    // Where the keyboard goes when the item it was in moves away.
    this.count.tabIndex = -1;
    this.watchPresses();
    replace(root,
      h('p', { class: 'hint' }, t('judge.hint')),
      lead ? h('p', { class: 'hint' }, t('judge.lead_hint')) : null,
      this.count, this.empty, this.todo, this.doneWrap);
  }

  /**
   * watchPresses keeps items still while the pointer uses the queue (over
   * it, or a press under way and just ended; see PointerUse): an item
   * leaving the list above the one being pressed would move that one from
   * under the pointer and the click would be lost. When it is done, the
   * items that waited move.
   */
  watchPresses() {
    this.pointerUse = new PointerUse(this.todo, () => this.settle());
  }

  /** settle moves every item that waited to where it belongs, unless it is still held. */
  settle() {
    for (const it of this.items.values()) if (it.li.parentNode !== this.target(it)) this.render(it);
  }

  /** add takes an event message (with its inject, for deliveries). */
  add(msg) {
    const ev = msg.event || msg;
    const d = ev.data || {};
    this.context.add(msg);
    switch (ev.type) {
      case 'expectation.met':
        if (d.provisional) this.open(ev);
        break;
      case 'expectation.judged': {
        const it = this.items.get(keyOf(ev));
        if (it && !it.judgements.some((j) => j.seq === ev.seq)) { it.judgements.push(ev); this.render(it); }
        break;
      }
      case 'expectation.scored': {
        const it = this.items.get(keyOf(ev));
        if (it) { it.result = d; this.render(it); }
        break;
      }
      default:
        break;
    }
  }

  open(ev) {
    const key = keyOf(ev);
    if (this.items.has(key)) return;
    const d = ev.data || {};
    const cause = String(d.cause || '');
    const it = {
      key, team: ev.team, inject: d.inject, expectation: d.expectation, seq: ev.seq, at: ev.at,
      points: d.points || 0, max: d.max_points || 0, actionSeq: cause.startsWith('action:') ? Number(cause.slice(7)) : 0,
      judgements: [], result: null, id: ++this.n,
    };
    it.status = h('div', { class: 'judge-status' });
    it.form = this.canJudge ? this.buildForm(it) : null;
    it.mark = it.form ? this.heldMark(it) : null;
    it.li = h('li', { class: 'judge-item', dataset: { key, team: it.team, inject: it.inject, expectation: it.expectation } },
      this.head(it), this.body(it), it.status, it.mark && it.mark.el, it.form);
    // Leaving an item that only the keyboard held lets it move (see held).
    it.li.addEventListener('focusout', (e) => {
      if (!it.li.contains(e.relatedTarget)) setTimeout(() => this.settle());
    });
    this.items.set(key, it);
    this.render(it);
  }

  head(it) {
    const dir = this.ctx.dir;
    const asked = this.context.question(it.team, it.inject, it.expectation);
    const title = dir.injectTitle(it.inject);
    // The title takes the keyboard when the item before it moves away (see letGo).
    it.title = h('h3', { class: 'judge-title', tabindex: '-1' }, t('judge.answered', { team: dir.teamName(it.team), inject: it.inject, action: actionLabel(asked.action || it.expectation), at: fmtTShort(it.at) }));
    return h('div', { class: 'judge-head' },
      it.title,
      title ? h('p', { class: 'judge-inject muted' }, title) : null);
  }

  body(it) {
    const dir = this.ctx.dir;
    const asked = this.context.question(it.team, it.inject, it.expectation);
    const answer = this.context.answer(it.actionSeq);
    const text = answer && answer.data && answer.data.text;
    const around = this.context.eventsAround(it.team, it.inject).filter((e) => e.seq !== it.actionSeq);
    return h('div', { class: 'judge-body' },
      h('p', { class: 'judge-label' }, t('judge.answer')),
      h('blockquote', { class: 'judge-text' }, text || t('judge.no_text')),
      asked.text ? [h('p', { class: 'judge-label' }, t('judge.prompt')), h('p', { class: 'judge-prompt' }, asked.text)] : null,
      asked.criteria ? [h('p', { class: 'judge-label' }, t('judge.criteria')), h('p', { class: 'judge-criteria' }, asked.criteria)] : null,
      around.length ? h('details', { class: 'judge-around' }, h('summary', null, t('judge.around')),
        h('ol', { class: 'judge-around-list' }, around.map((e) => h('li', null, h('time', null, fmtTShort(e.at)), ' ', eventText(e, dir))))) : null);
  }

  buildForm(it) {
    const p = `judge-${it.id}`;
    const err = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const points = h('input', { type: 'number', id: `${p}-points`, class: 'judge-points', min: '0', max: String(it.max), step: 'any', inputmode: 'decimal', required: true });
    points.addEventListener('input', () => { points.dataset.touched = '1'; });
    const inputs = RATINGS.map((r) => {
      const input = h('input', { type: 'radio', name: `${p}-rating`, id: `${p}-${r}`, value: r });
      input.addEventListener('change', () => { if (!points.dataset.touched) points.value = String(defaultPoints(r, it.max)); });
      return input;
    });
    const radios = inputs.map((input) => h('label', { class: ['judge-rating', `judge-rating-${input.value}`], for: input.id }, input, h('span', null, t(`judge.rating.${input.value}`))));
    const comment = h('textarea', { id: `${p}-comment`, class: 'judge-comment', rows: '2', maxlength: '8000' });
    // A judgement begun here holds the item in place (see held) until it is sent or dismissed.
    it.draft = false;
    const begun = () => { it.draft = true; };
    for (const input of inputs) input.addEventListener('change', begun);
    points.addEventListener('input', begun);
    comment.addEventListener('input', begun);
    const submit = h('button', { type: 'submit', class: 'btn btn-primary judge-submit' }, this.lead ? t('judge.decide') : t('judge.submit'));
    const form = h('form', { class: 'judge-form stack', novalidate: true },
      h('fieldset', { class: 'judge-fieldset' },
        h('legend', null, this.lead ? t('judge.decide') : t('judge.your_judgement')),
        h('div', { class: 'judge-ratings', role: 'radiogroup', 'aria-label': t('judge.rating') }, radios),
        h('div', { class: 'row judge-row' },
          h('div', { class: 'field' }, h('label', { for: `${p}-points`, class: 'field-label' }, t('judge.points', { max: it.max })), points),
          h('div', { class: 'field judge-comment-field' }, h('label', { for: `${p}-comment`, class: 'field-label' }, t('judge.comment')), comment))),
      err,
      h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const rating = (inputs.find((i) => i.checked) || {}).value;
      const fail = (msg, el) => { err.textContent = msg; err.hidden = false; if (el) el.focus(); };
      if (!rating) { fail(t('judge.choose_rating'), inputs[0]); return; }
      const value = points.value === '' ? defaultPoints(rating, it.max) : Number(points.value);
      if (!(value >= 0 && value <= it.max)) { fail(t('judge.points_range', { max: it.max }), points); return; }
      const cmd = { type: 'judge', team: it.team, inject: it.inject, expectation: it.expectation, rating, points: value };
      if (comment.value.trim()) cmd.text = comment.value.trim();
      // While it is sent, the item waits (its own judgement is no colleague's); once it is recorded, it moves.
      it.sending = true;
      const wasIn = it.li.contains(document.activeElement);
      await pending(submit, () => this.ctx.socket.command(cmd), { errorEl: err, socket: this.ctx.socket, doneLabel: t('judge.saved') });
      it.sending = false;
      // The disabled button lost the keyboard meanwhile: it was still in the item unless the judge went elsewhere.
      const still = wasIn && (document.activeElement === document.body || it.li.contains(document.activeElement));
      if (submit.dataset.state === 'done') this.letGo(it, still);
      else this.render(it);
      // The item stayed (a failure, or nothing moved it): the keyboard the
      // disabled button dropped comes back to it.
      if (still && document.activeElement === document.body && it.li.isConnected) submit.focus();
    });
    return form;
  }

  /** heldMark builds the mark of an item held here while a colleague's judgement moved it: what they judged, and a way to let it go. */
  heldMark(it) {
    const text = h('p', { class: 'alert-text judge-held-text' });
    const dismiss = h('button', { type: 'button', class: 'btn btn-small judge-held-dismiss' }, t('judge.held_dismiss'));
    dismiss.addEventListener('click', () => this.letGo(it));
    const el = h('div', { class: 'alert alert-info judge-held', role: 'status', hidden: true }, text, dismiss);
    return { el, text };
  }

  /**
   * letGo ends what held an item (its judgement sent, or the mark
   * dismissed) and moves it where it belongs; the keyboard, if it was in
   * the item (had), goes to the next item of the list it leaves.
   */
  letGo(it, had = it.li.contains(document.activeElement)) {
    it.draft = false;
    const from = it.li.parentNode;
    const next = it.li.nextElementSibling;
    it.free = true;
    this.render(it);
    it.free = false;
    if (!had || it.li.parentNode === from) return;
    const after = next && this.items.get(next.dataset.key);
    (after ? after.title : this.count).focus();
  }

  /**
   * held reports whether an item must stay where it is for now: the
   * pointer uses the queue (see watchPresses), or someone is judging it
   * here (the keyboard in it, a judgement begun or being sent). Moving it
   * would blur the control in use and fold the form into the closed
   * "Judged" list.
   */
  held(it) {
    if (it.free) return false;
    return this.pointerUse.inUse() || this.inUse(it);
  }

  /** inUse reports whether someone is judging an item here: the keyboard in it, a judgement begun or being sent. */
  inUse(it) {
    return !!(it.draft || it.sending || it.li.contains(document.activeElement));
  }

  /** target is the list an item belongs in. */
  target(it) {
    return this.waiting(it) ? this.todo : this.done;
  }

  /** paintHeld shows, on an item held away from its list, the judgement that settled it meanwhile. */
  paintHeld(it, on) {
    if (!it.mark) return;
    it.li.dataset.held = on ? 'true' : 'false';
    // Its own judgement, while it is sent, is no news to the judge.
    if (it.sending) return;
    const j = on ? it.judgements[it.judgements.length - 1] : null;
    it.mark.el.hidden = !j;
    if (!j) return;
    const d = j.data || {};
    const text = t(d.decision ? 'judge.held_decision' : 'judge.held', {
      who: actorName(j.actor, this.ctx.dir), rating: t(`judge.rating.${d.rating}`),
      points: fmtPoints(d.content || 0), max: fmtPoints(d.max_points || it.max),
    });
    // Written only when it changes: the mark is a live region, read out at each change.
    if (it.mark.text.textContent !== text) it.mark.text.textContent = text;
  }

  /** waiting reports whether an item is in the queue: not judged yet, or, for the lead, disputed and undecided. */
  waiting(it) {
    const r = it.result;
    return !r || (this.lead && r.disagreement && !r.decision);
  }

  render(it) {
    const dir = this.ctx.dir;
    const r = it.result;
    const state = !r ? 'provisional' : (r.decision ? 'decided' : 'judged');
    it.li.dataset.state = state;
    it.li.dataset.disagreement = r && r.disagreement && !r.decision ? 'true' : 'false';
    const points = r ? (r.points || 0) : it.points;
    replace(it.status,
      h('p', { class: 'judge-score' },
        h('span', { class: ['judge-state', `judge-state-${state}`] }, t(`judge.state.${state}`)), ' ',
        t('judge.score', { points: fmtPoints(points), max: fmtPoints(it.max) })),
      it.li.dataset.disagreement === 'true' ? h('p', { class: 'judge-flag', role: 'status' }, t('judge.disagreement')) : null,
      it.judgements.length ? [h('p', { class: 'judge-label' }, t('judge.judgements')),
        h('ul', { class: 'judge-judgements' }, it.judgements.map((j) => {
          const d = j.data || {};
          const who = actorName(j.actor, dir);
          return h('li', { dataset: { seq: j.seq, decision: d.decision ? 'true' : 'false' } },
            t('judge.by', { who, rating: t(`judge.rating.${d.rating}`), points: fmtPoints(d.content || 0), max: fmtPoints(d.max_points || it.max) }),
            d.decision ? h('span', { class: 'judge-decision' }, ` (${t('judge.decision')})`) : null,
            d.text ? h('span', { class: 'judge-comment-text' }, ` — ${d.text}`) : null);
        }))] : null);
    const list = this.target(it);
    const stays = it.li.parentNode && it.li.parentNode !== list && this.held(it);
    if (!stays) this.place(it, list);
    this.paintHeld(it, stays && this.inUse(it));
    const waiting = [...this.items.values()].filter((x) => this.waiting(x)).length;
    this.count.textContent = t('judge.queue_count', { count: waiting });
    this.count.dataset.count = waiting;
    this.empty.hidden = waiting > 0 || this.todo.children.length > 0;
    this.doneWrap.hidden = this.done.children.length === 0;
  }

  /** place puts an item in list, oldest answer first. */
  place(it, list) {
    if (it.li.parentNode === list) return;
    const after = [...list.children].find((li) => (this.items.get(li.dataset.key) || {}).seq > it.seq);
    list.insertBefore(it.li, after || null);
  }
}

function keyOf(ev) {
  const d = ev.data || {};
  return `${d.inject}.${d.expectation}@${ev.team}`;
}
