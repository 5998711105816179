// Evaluator notes: the list of evaluator.note events and, for facilitators
// and evaluators, a form to add one (text, optional team, inject and
// objective).
import { h, option, replace } from './dom.js';
import { fmtTShort, actorName } from './format.js';
import { pending } from './page.js';
import { t, contentLang } from './i18n.js';
import { scenarioLang } from './model.js';

export class Notes {
  /**
   * @param {HTMLElement} root container
   * @param {object} ctx the page context (dir, socket)
   * @param {boolean} canWrite show the form
   */
  constructor(root, ctx, canWrite) {
    this.ctx = ctx;
    this.list = h('ol', { id: 'notes-list', class: 'notes-list' }, h('li', { class: 'muted notes-empty' }, t('ui.notes.empty')));
    const parts = [];
    if (canWrite) parts.push(this.buildForm());
    parts.push(this.list);
    replace(root, ...parts);
  }

  buildForm() {
    const { dir } = this.ctx;
    const text = h('textarea', { id: 'note-text', rows: '3', maxlength: '8000', required: true });
    const team = h('select', { id: 'note-team' }, option('', t('ui.notes.any_team')), dir.teamList().map((x) => option(x.id, x.name || x.id)));
    this.injectSel = h('select', { id: 'note-inject' }, option('', t('ui.notes.no_inject')));
    this.refreshInjects();
    this.injectSel.addEventListener('focus', () => this.refreshInjects());
    const objective = h('select', { id: 'note-objective' }, option('', t('ui.notes.no_objective')),
      ((this.ctx.exercise && this.ctx.exercise.objectives) || []).map((o) => contentLang(option(o.id, `${o.id} — ${o.text}`), scenarioLang(this.ctx))));
    const err = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', id: 'note-submit', class: 'btn btn-primary' }, t('ui.notes.add'));
    const form = h('form', { id: 'note-form', class: 'stack', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'note-text', class: 'field-label' }, t('ui.notes.observation')), text),
      h('div', { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: 'note-team', class: 'field-label' }, t('ui.team')), team),
        h('div', { class: 'field' }, h('label', { for: 'note-inject', class: 'field-label' }, t('ui.inject')), this.injectSel),
        h('div', { class: 'field' }, h('label', { for: 'note-objective', class: 'field-label' }, t('ui.objective')), objective)),
      err,
      h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = text.value.trim();
      if (!body) { err.textContent = t('ui.notes.write_first'); err.hidden = false; text.focus(); return; }
      const cmd = { type: 'note', text: body };
      if (team.value) cmd.team = team.value;
      if (this.injectSel.value) cmd.inject = this.injectSel.value;
      if (objective.value) cmd.objective = objective.value;
      const ok = await pending(submit, () => this.ctx.socket.command(cmd), { errorEl: err, socket: this.ctx.socket, doneLabel: t('ui.notes.saved') });
      if (ok) text.value = '';
    });
    return form;
  }

  refreshInjects() {
    const sel = this.injectSel;
    if (!sel) return;
    const have = new Set(Array.from(sel.options, (o) => o.value));
    for (const [id, inj] of this.ctx.dir.injects) {
      if (!have.has(id)) sel.appendChild(inj.title ? contentLang(option(id, `${id} — ${inj.title}`), scenarioLang(this.ctx)) : option(id, id));
    }
  }

  /** add takes an event message; keeps evaluator.note events. */
  add(msg) {
    const ev = msg.event || msg;
    if (ev.type !== 'evaluator.note') return;
    const d = ev.data || {};
    const empty = this.list.querySelector('.notes-empty');
    if (empty) empty.remove();
    const about = [ev.team ? this.ctx.dir.teamName(ev.team) : '', d.inject || '', d.objective ? t('ui.notes.about_objective', { objective: d.objective }) : ''].filter(Boolean).join(' · ');
    const li = h('li', { class: 'note', dataset: { seq: ev.seq } },
      h('div', { class: 'note-meta' },
        h('time', null, fmtTShort(ev.at)), ' ',
        h('span', { class: 'note-by' }, actorName(ev.actor, this.ctx.dir)),
        about ? h('span', { class: 'note-about' }, about) : null),
      h('p', { class: 'note-text' }, d.text || ''));
    this.list.insertBefore(li, this.list.firstChild);
    this.refreshInjects();
  }
}
