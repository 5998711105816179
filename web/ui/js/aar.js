// The AAR/IP editor of the facilitator console (the lead evaluator): once
// the exercise has ended, it loads the drafted (or last saved) strengths,
// areas for improvement and corrective actions, lets the lead evaluator
// edit, add and delete them, and saves the whole document as one aar_edit
// command. Also the trainee's link to the team-scoped report.
import { h, replace, option } from './dom.js';
import { api } from './api.js';
import { pending, errorNodes } from './page.js';
import { i18n, t } from './i18n.js';
import { addUnsentCheck } from './unsent.js';

const PRIORITIES = ['high', 'medium', 'low'];

/** exercisePath returns the API path of the session's exercise. */
function exercisePath(ctx, rest) {
  return `/api/exercises/${encodeURIComponent(ctx.session.exercise)}/${rest}`;
}

/** teamReportLink is the trainee's link to the team report, opened in a new tab. */
export function teamReportLink(ctx) {
  return h('p', { class: 'team-report' },
    h('a', { id: 'team-report-link', class: 'btn btn-primary', href: exercisePath(ctx, `team-report?lang=${encodeURIComponent(i18n.lang)}`), target: '_blank', rel: 'noopener', hreflang: i18n.tag }, t('aar.team.open')),
    ' ', h('span', { class: 'muted small' }, t('aar.team.open_hint')));
}

/** nextID returns prefix followed by one more than the highest number among the ids of items. */
export function nextID(items, prefix) {
  let n = 0;
  for (const it of items) {
    const m = new RegExp(`^${prefix}(\\d+)$`).exec(it.id || '');
    if (m) n = Math.max(n, Number(m[1]));
  }
  return `${prefix}${n + 1}`;
}

/** clone copies a document so edits do not touch the loaded one. */
const clone = (d) => JSON.parse(JSON.stringify(d));

/** snapshot is a document's content as text, without its edit date, to tell whether it changed. */
const snapshot = (d) => JSON.stringify({ ...d, edited: undefined });

/** AAREditor is the facilitator's AAR/IP panel (#aar). */
export class AAREditor {
  constructor(container, ctx) {
    this.el = container;
    this.ctx = ctx;
    this.status = '';
    this.view = null;
    this.doc = null;
    this.saved = ''; // the document as last loaded or saved (see unsaved)
    // Edits live in this.doc until saved, and a render rebuilds the fields:
    // the editor tells a language change itself what it would lose.
    container.dataset.ownUnsent = '';
    addUnsentCheck(() => (this.unsaved() ? [t('aar.ui.title')] : []));
    ctx.socket.on('status', (m) => {
      const st = (m.status || {}).status || '';
      if (st === this.status) return;
      this.status = st;
      if (st === 'ended' && !this.view) this.load();
    });
  }

  async load() {
    this.el.hidden = false;
    replace(this.el, this.heading(), h('p', { class: 'muted' }, t('ui.debrief.loading')));
    try {
      this.view = await api(exercisePath(this.ctx, `aar?lang=${encodeURIComponent(i18n.lang)}`));
    } catch (err) {
      this.view = null;
      replace(this.el, this.heading(), h('p', { class: 'form-error', role: 'alert' }, ...errorNodes(err)));
      return;
    }
    this.doc = clone(this.view.document);
    this.render(); // fills in defaults (an area's priority) before the document counts as saved
    this.saved = snapshot(this.doc);
  }

  /** unsaved reports whether the editor holds edits it has not saved. */
  unsaved() {
    return !!this.doc && snapshot(this.doc) !== this.saved;
  }

  heading() {
    return h('h2', { id: 'aar-h' }, t('aar.ui.title'));
  }

  render() {
    const v = this.view;
    const err = h('p', { class: 'form-error', id: 'aar-error', hidden: true, role: 'alert' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'aar-save' }, t('aar.ui.save'));
    const reset = h('button', { type: 'button', class: 'btn', id: 'aar-reset' }, t('aar.ui.reset'));
    reset.addEventListener('click', () => { this.doc = clone(v.draft); this.render(); });
    const state = h('p', { id: 'aar-state', class: 'small muted', role: 'status' },
      v.edited ? t('aar.ui.edited', { by: (v.edited_by || '').replace(/^[a-z]+:/, ''), date: v.document.edited || '' }) : t('aar.ui.draft'));
    const form = h('form', { id: 'aar-form', class: 'aar-form', novalidate: true },
      this.findings('strengths', t('aar.ui.strengths'), 'S', false),
      this.findings('improvements', t('aar.ui.improvements'), 'A', true),
      this.plan(),
      h('div', { class: 'btn-row' }, save, reset), err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.hidden = true;
      const doc = clone(this.doc);
      await pending(save, () => this.ctx.socket.command({ type: 'aar_edit', aar: doc }), { errorEl: err, socket: this.ctx.socket, doneLabel: t('aar.ui.saved') });
      if (save.dataset.state === 'done') {
        this.saved = snapshot(doc);
        v.edited = true;
        v.edited_by = (this.ctx.you || {}).name || '';
        v.document = doc;
        v.document.edited = new Date().toISOString().slice(0, 10);
        state.textContent = t('aar.ui.saved');
      }
    });
    const dl = (fmt) => h('a', { class: 'btn btn-small', id: `aar-plan-${fmt}`, href: exercisePath(this.ctx, `improvement-plan.${fmt}?lang=${encodeURIComponent(i18n.lang)}`), download: `improvement-plan.${fmt}` }, t(`aar.ui.download_${fmt}`));
    replace(this.el, this.heading(), h('p', { class: 'hint' }, t('aar.ui.intro')), state,
      h('div', { class: 'btn-row' }, dl('xlsx'), dl('csv')), form);
  }

  /** findings renders the list of strengths or areas for improvement. */
  findings(key, title, prefix, area) {
    const list = this.doc[key];
    const rows = list.map((f, i) => {
      const id = `aar-${key}-${i}`;
      const text = h('textarea', { id: `${id}-text`, rows: 2, maxlength: 1000 }, f.text);
      text.addEventListener('input', () => { f.text = text.value; });
      const del = h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-label': t('aar.ui.delete', { id: f.id }) }, '✕');
      del.addEventListener('click', () => { list.splice(i, 1); this.render(); });
      const fields = [h('div', { class: 'field aar-text' }, h('label', { for: `${id}-text` }, `${f.id} · ${t('aar.ui.text')}`), text)];
      if (area) {
        const prio = h('select', { id: `${id}-prio` }, PRIORITIES.map((p) => option(p, t(`priority.${p}`), f.priority === p)));
        prio.addEventListener('change', () => { f.priority = prio.value; });
        if (!f.priority) f.priority = prio.value;
        fields.push(h('div', { class: 'field' }, h('label', { for: `${id}-prio` }, t('aar.ui.priority')), prio));
      }
      fields.push(this.capabilitySelect(`${id}-cap`, f.capability, (c) => { f.capability = c; }, true));
      return h('li', { class: 'aar-entry', dataset: { id: f.id } }, ...fields, del);
    });
    const add = h('button', { type: 'button', class: 'btn btn-small', id: `aar-add-${key}` }, t(area ? 'aar.ui.add_improvement' : 'aar.ui.add_strength'));
    add.addEventListener('click', () => {
      list.push({ id: nextID(list.concat(area ? this.doc.strengths : this.doc.improvements), prefix), text: '', ...(area ? { priority: 'medium' } : {}) });
      this.render();
      document.getElementById(`aar-${key}-${list.length - 1}-text`)?.focus();
    });
    return h('fieldset', { class: 'aar-group', id: `aar-${key}` }, h('legend', null, title),
      rows.length ? h('ol', { class: 'aar-list' }, rows) : h('p', { class: 'muted' }, t('aar.ui.none')), add);
  }

  /** capabilitySelect chooses an objective or a core capability. */
  capabilitySelect(id, value, onChange, optional) {
    const v = this.view;
    const sel = h('select', { id },
      optional || !value ? option('', t('aar.ui.choose'), !value) : null,
      h('optgroup', { label: t('aar.ui.objectives') }, (v.objectives || []).map((o) => option(o.id, `${o.id} — ${o.name}`.slice(0, 80), o.id === value))),
      h('optgroup', { label: t('aar.ui.capabilities') }, (v.capabilities || []).map((c) => option(c.id, c.name, c.id === value))));
    sel.addEventListener('change', () => onChange(sel.value));
    return h('div', { class: 'field' }, h('label', { for: id }, t('aar.col.capability')), sel);
  }

  /** plan renders the corrective actions. */
  plan() {
    const v = this.view;
    const list = this.doc.plan;
    const areas = this.doc.improvements;
    const rows = list.map((a, i) => {
      const id = `aar-plan-${i}`;
      const field = (name, control) => h('div', { class: `field aar-${name}` }, h('label', { for: control.id }, t(`aar.col.${name}`)), control);
      const bind = (el, prop, ev = 'input') => { el.addEventListener(ev, () => { a[prop] = el.value; }); return el; };
      const area = bind(h('select', { id: `${id}-area` }, option('', t('aar.ui.choose'), !a.area),
        areas.map((f) => option(f.id, `${f.id} — ${f.text}`.slice(0, 90), f.id === a.area))), 'area', 'change');
      const action = bind(h('textarea', { id: `${id}-action`, rows: 2, maxlength: 1000 }, a.action), 'action');
      const org = bind(h('select', { id: `${id}-organisation`, 'aria-describedby': 'aar-org-help' }, option('', t('aar.ui.choose'), !a.organisation),
        (v.organisations || []).map((o) => option(o.id, o.name, o.id === a.organisation))), 'organisation', 'change');
      const contact = bind(h('input', { id: `${id}-contact`, type: 'text', maxlength: 200, value: a.contact || '' }), 'contact');
      const start = bind(h('input', { id: `${id}-start`, type: 'date', value: a.start || '' }), 'start');
      const end = bind(h('input', { id: `${id}-completion`, type: 'date', value: a.completion || '' }), 'completion');
      const status = bind(h('select', { id: `${id}-status` }, (v.statuses || []).map((s) => option(s, t(`aar.status.${s}`), s === a.status))), 'status', 'change');
      const del = h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-label': t('aar.ui.delete', { id: a.id }) }, '✕');
      del.addEventListener('click', () => { list.splice(i, 1); this.render(); });
      return h('li', { class: 'aar-item', dataset: { id: a.id } },
        h('p', { class: 'aar-item-id' }, a.id, del),
        this.capabilitySelect(`${id}-capability`, a.capability, (c) => { a.capability = c; }, false),
        field('area', area), field('action', action), field('organisation', org), field('contact', contact),
        field('start', start), field('completion', end), field('status', status));
    });
    const add = h('button', { type: 'button', class: 'btn btn-small', id: 'aar-add-plan', disabled: !areas.length, title: areas.length ? null : t('aar.ui.no_area') }, t('aar.ui.add_action'));
    add.addEventListener('click', () => {
      const today = new Date().toISOString().slice(0, 10);
      list.push({ id: nextID(list, 'P'), capability: '', area: areas[0]?.id || '', action: '', organisation: '', contact: '', start: today, completion: today, status: 'not_started' });
      this.render();
      document.getElementById(`aar-plan-${list.length - 1}-action`)?.focus();
    });
    return h('fieldset', { class: 'aar-group', id: 'aar-plan' }, h('legend', null, t('aar.ui.plan')),
      h('p', { class: 'hint', id: 'aar-org-help' }, t('aar.ui.org_help')),
      rows.length ? h('ol', { class: 'aar-list' }, rows) : h('p', { class: 'muted' }, t('aar.ui.none')), add);
  }
}
