// The hot wash: after the end, the facilitator opens a short participant
// feedback survey (survey_open); trainees, evaluators and observers answer
// it in their language (survey_answer); the facilitator follows the
// answers live (survey.answered, staff only). See docs/protocol.md.
import { h, replace, uid } from './dom.js';
import { pending, participantKey } from './page.js';
import { i18n, t, contentLang } from './i18n.js';

/**
 * questionsOf returns the exercise's hot wash questions as the server lists
 * them (hot_wash): the scenario's own, else the engine's default ones. The
 * console keeps no list of its own.
 */
export function questionsOf(exercise) {
  return (exercise && exercise.hot_wash) || [];
}

/**
 * questionLabel is a question's text in the reader's language, as an
 * element: a default question's from the catalog, a scenario's own from
 * its translations, else in the scenario's language (marked with lang).
 */
export function questionLabel(q, exercise, tag = 'span', attrs = null) {
  if (!q.text) return h(tag, attrs, t(`hotwash.q.${q.id}`));
  const tr = q.translations && q.translations[i18n.lang];
  return contentLang(h(tag, attrs, tr || q.text), tr ? i18n.lang : ((exercise && exercise.language) || 'en'));
}

/** MAX_TEXT is the longest free-text answer the server takes (engine.MaxSurveyAnswerLen). */
export const MAX_TEXT = 2000;

/**
 * tally folds survey.answered events into results per question, as the
 * engine does: a named answer replaces the same person's earlier one, an
 * anonymous one replaces nothing. responses maps a key to answers,
 * questions are the survey's (questionsOf).
 */
export function tally(responses, questions) {
  return questions.map((q) => {
    const answers = [...responses.values()].map((a) => a[q.id]).filter((a) => a !== undefined && a !== '');
    const r = { ...q, count: answers.length };
    if (q.kind === 'rating') r.average = answers.length ? Math.round((answers.reduce((s, a) => s + Number(a), 0) / answers.length) * 100) / 100 : null;
    else r.texts = answers;
    return r;
  });
}

/** SurveyForm is a participant's hot wash form, shown in container once the survey opens. */
export class SurveyForm {
  constructor(container, ctx) {
    this.el = container;
    this.ctx = ctx;
    this.open = false;
    this.anonymous = false;
    this.questions = questionsOf(ctx.exercise);
    // An anonymous answer replaces nothing on the server: the page remembers
    // it was sent and does not offer the form again.
    this.sentKey = `cmesim:hotwash:${participantKey(ctx.session)}`;
    ctx.socket.on('event', (m) => {
      const ev = m.event || {};
      if (ev.type !== 'survey.opened' || this.open) return;
      this.open = true;
      this.anonymous = !!(ev.data || {}).anonymous;
      this.render();
    });
  }

  render() {
    const err = h('p', { class: 'form-error', id: 'hotwash-error', hidden: true, role: 'alert' });
    const fields = this.questions.map((q) => (q.kind === 'rating' ? this.rating(q) : this.text(q)));
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'hotwash-submit' }, t('hotwash.submit'));
    const form = h('form', { id: 'hotwash-form', class: 'hotwash-form', novalidate: true },
      h('p', { class: 'hint' }, t('hotwash.scale')), ...fields, h('div', { class: 'btn-row' }, submit), err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const answers = {};
      for (const q of this.questions) {
        const v = q.kind === 'rating' ? (form.querySelector(`input[name="hw-${q.id}"]:checked`) || {}).value : form.elements[`hw-${q.id}`].value.trim();
        if (v) answers[q.id] = v;
      }
      if (!Object.keys(answers).length) {
        err.textContent = t('hotwash.empty');
        err.hidden = false;
        return;
      }
      const ok = await pending(submit, () => this.ctx.socket.command({ type: 'survey_answer', answers }), { errorEl: err, socket: this.ctx.socket, doneLabel: t('hotwash.sent') });
      if (ok !== undefined) {
        form.before(this.thanks());
        if (this.anonymous) {
          form.hidden = true;
          try { localStorage.setItem(this.sentKey, '1'); } catch { /* private mode */ }
        }
      }
    });
    let sent = false;
    try { sent = this.anonymous && localStorage.getItem(this.sentKey) === '1'; } catch { /* private mode */ }
    replace(this.el,
      h('h2', { id: 'hotwash-h' }, t('hotwash.heading')),
      h('p', null, t('hotwash.intro')),
      h('p', { class: 'muted small' }, t(this.anonymous ? 'hotwash.anonymous_note' : 'hotwash.named_note')),
      sent ? this.thanks() : form);
    this.el.hidden = false;
  }

  thanks() {
    return h('p', { id: 'hotwash-sent', class: 'banner banner-info', role: 'status' }, t('hotwash.sent'));
  }

  rating(q) {
    const name = `hw-${q.id}`;
    const legend = questionLabel(q, this.ctx.exercise, 'legend');
    const opts = [1, 2, 3, 4, 5].map((n) => {
      const id = uid(`hw-${q.id}-${n}`);
      return h('span', { class: 'hw-opt' },
        h('input', { type: 'radio', name, id, value: String(n), 'aria-label': t('hotwash.rating_label', { n: i18n.formatNumber(n) }) }),
        h('label', { for: id }, i18n.formatNumber(n)));
    });
    return h('fieldset', { class: 'hw-rating', dataset: { question: q.id } }, legend, h('div', { class: 'hw-scale' }, opts));
  }

  text(q) {
    const id = uid(`hw-${q.id}`);
    return h('div', { class: 'field', dataset: { question: q.id } },
      questionLabel(q, this.ctx.exercise, 'label', { for: id }),
      h('textarea', { id, name: `hw-${q.id}`, rows: 3, maxlength: MAX_TEXT }));
  }
}

/** SurveyResults is the facilitator's hot wash panel: the open button, then the answers live. */
export class SurveyResults {
  constructor(container, ctx) {
    this.el = container;
    this.ctx = ctx;
    this.status = '';
    this.open = false;
    this.anonymous = false;
    this.responses = new Map();
    this.n = 0;
    this.questions = questionsOf(ctx.exercise);
    ctx.socket.on('event', (m) => this.add(m.event || {}));
    ctx.socket.on('status', (m) => {
      const st = (m.status || {}).status || '';
      if (st === this.status) return;
      this.status = st;
      this.render();
    });
    this.render();
  }

  add(ev) {
    if (ev.type === 'survey.opened') {
      this.open = true;
      this.anonymous = !!(ev.data || {}).anonymous;
    } else if (ev.type === 'survey.answered') {
      const d = ev.data || {};
      this.n += 1;
      this.responses.set(d.anonymous ? `#${this.n}` : ev.actor, d.answers || {});
    } else {
      return;
    }
    this.render();
  }

  render() {
    this.el.hidden = this.status !== 'ended' && !this.open;
    if (this.el.hidden) return;
    const head = h('h2', { id: 'hotwash-h' }, t('hotwash.results'));
    if (!this.open) {
      const anon = h('input', { type: 'checkbox', id: 'hotwash-anonymous' });
      const btn = h('button', { type: 'button', class: 'btn btn-primary', id: 'btn-hotwash' }, t('hotwash.open'));
      btn.addEventListener('click', () => pending(btn, () => this.ctx.socket.command({ type: 'survey_open', ...(anon.checked ? { anonymous: true } : {}) }), { socket: this.ctx.socket, doneLabel: t('hotwash.opened') }));
      replace(this.el, head, h('p', { class: 'muted' }, t('hotwash.staff_intro')),
        h('div', { class: 'btn-row' }, btn, h('span', { class: 'check' }, anon, ' ', h('label', { for: 'hotwash-anonymous' }, t('hotwash.anonymous')))));
      return;
    }
    const results = tally(this.responses, this.questions);
    const ratings = results.filter((r) => r.kind === 'rating');
    const texts = results.filter((r) => r.kind === 'text');
    replace(this.el, head,
      h('p', { id: 'hotwash-count' }, t('hotwash.answers', { count: this.responses.size }), this.anonymous ? ` · ${t('hotwash.anonymous')}` : ''),
      this.responses.size ? null : h('p', { class: 'muted' }, t('hotwash.no_answers')),
      h('ul', { class: 'hw-results', id: 'hotwash-ratings' }, ratings.map((r) => h('li', { dataset: { question: r.id, average: r.average ?? '', count: r.count } },
        questionLabel(r, this.ctx.exercise), ' ',
        h('strong', null, r.count ? t('hotwash.average', { average: i18n.formatNumber(r.average) }) : '–'), ' ',
        h('span', { class: 'muted small' }, t('hotwash.answers', { count: r.count }))))),
      texts.map((r) => (r.texts.length ? h('div', { class: 'hw-texts', dataset: { question: r.id } },
        questionLabel(r, this.ctx.exercise, 'h3', { class: 'subhead' }),
        h('ul', null, r.texts.map((x) => h('li', null, x)))) : null)));
  }
}
