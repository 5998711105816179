// The facilitator's ad-hoc inject composer (send_inject).
import { h, option, replace, uid } from './dom.js';
import { CHANNELS, SEVERITIES, TLP_LEVELS, tlpLabel, ACTIONS, actionLabel, channelLabel, severityLabel, MIN } from './format.js';
import { renderMarkdown } from './markdown.js';
import { pending } from './page.js';
import { t, contentLang } from './i18n.js';

/** NEEDS_ANSWER_KEY are the actions an ad-hoc inject cannot expect (the server refuses them). */
const NEEDS_ANSWER_KEY = new Set(['classify', 'escalate', 'share']);

function field(id, label, control, hint) {
  return h('div', { class: 'field' },
    h('label', { for: id, class: 'field-label' }, label),
    control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
}

export class Composer {
  constructor(root, ctx) {
    this.ctx = ctx;
    const { dir } = ctx;
    const title = h('input', { id: 'adhoc-title', type: 'text', maxlength: '200', required: true, autocomplete: 'off' });
    const body = h('textarea', { id: 'adhoc-body', rows: '5', maxlength: '32768', required: true, 'aria-describedby': 'adhoc-body-hint' });
    const preview = h('div', { class: 'md-body preview', id: 'adhoc-preview', 'aria-live': 'off' });
    body.addEventListener('input', () => replace(preview, renderMarkdown(body.value)));
    const channel = h('select', { id: 'adhoc-channel' }, Object.keys(CHANNELS).map((k) => option(k, channelLabel(k))));
    const from = h('select', { id: 'adhoc-from' },
      h('optgroup', { label: t('ui.actors') }, dir.actorList().map((a) => option(a.id, a.name || a.id))),
      h('optgroup', { label: t('ui.teams') }, dir.teamList().map((tm) => option(tm.id, tm.name || tm.id))));
    const toAll = h('input', { type: 'checkbox', name: 'adhoc-to', value: 'all', id: 'adhoc-to-all' });
    const toBoxes = dir.teamList().map((tm) => {
      const id = uid('adhoc-to');
      return h('label', { class: 'check', for: id }, h('input', { type: 'checkbox', name: 'adhoc-to', value: tm.id, id }), ` ${tm.name || tm.id}`);
    });
    toAll.addEventListener('change', () => {
      for (const l of toBoxes) { const i = l.querySelector('input'); i.disabled = toAll.checked; if (toAll.checked) i.checked = false; }
    });
    const groups = h('input', { id: 'adhoc-groups', type: 'text', placeholder: t('ui.adhoc.groups_placeholder'), autocomplete: 'off' });
    const severity = h('select', { id: 'adhoc-severity' }, option('', '—'), SEVERITIES.map((s) => option(s, severityLabel(s))));
    const tlp = h('select', { id: 'adhoc-tlp' }, option('', t('ui.composer.tlp_default')), TLP_LEVELS.map((l) => option(l, tlpLabel(l))));

    const expOn = h('input', { type: 'checkbox', id: 'adhoc-exp-on' });
    // Classify, escalate and share need an answer key: only the scenario has one.
    const expAction = h('select', { id: 'adhoc-exp-action' }, ACTIONS.filter((a) => !NEEDS_ANSWER_KEY.has(a)).map((a) => option(a, actionLabel(a))));
    const expWithin = h('input', { id: 'adhoc-exp-within', type: 'number', min: '1', max: '1440', step: '1', value: '15', inputmode: 'numeric' });
    const expPoints = h('input', { id: 'adhoc-exp-points', type: 'number', min: '0', max: '1000', step: '1', value: '5', inputmode: 'numeric' });
    const objectives = dir.objectives();
    const expObjective = h('select', { id: 'adhoc-exp-objective' }, objectives.length
      ? objectives.map((o) => contentLang(option(o.id, o.text ? `${o.id} — ${o.text}` : o.id), o.lang))
      : option('', t('ui.composer.no_objectives')));
    const expFields = h('div', { class: 'exp-fields', id: 'adhoc-exp-fields', hidden: true },
      h('div', { class: 'row' },
        field('adhoc-exp-action', t('ui.composer.action'), expAction),
        field('adhoc-exp-within', t('ui.composer.within'), expWithin),
        field('adhoc-exp-points', t('ui.points'), expPoints)),
      field('adhoc-exp-objective', t('ui.objective'), expObjective));
    expOn.addEventListener('change', () => { expFields.hidden = !expOn.checked; });

    const err = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', id: 'adhoc-submit', class: 'btn btn-primary' }, t('ui.composer.send'));
    const form = h('form', { id: 'adhoc-form', class: 'stack', novalidate: true },
      field('adhoc-title', t('ui.composer.title'), title),
      field('adhoc-body', t('ui.composer.body'), body, t('ui.composer.body_hint')),
      h('details', { class: 'preview-wrap' }, h('summary', null, t('ui.composer.preview')), preview),
      h('div', { class: 'row' },
        field('adhoc-channel', t('ui.composer.channel'), channel),
        field('adhoc-from', t('ui.composer.from'), from)),
      h('fieldset', { class: 'checks' },
        h('legend', null, t('ui.composer.to')),
        h('label', { class: 'check', for: 'adhoc-to-all' }, toAll, ` ${t('ui.timeline.all_teams')}`),
        toBoxes,
        field('adhoc-groups', t('ui.composer.groups'), groups)),
      h('div', { class: 'row' },
        field('adhoc-severity', t('ui.severity'), severity),
        field('adhoc-tlp', 'TLP', tlp)),
      h('div', { class: 'field' }, h('label', { class: 'check', for: 'adhoc-exp-on' }, expOn, ` ${t('ui.composer.expect')}`)),
      expFields,
      err,
      h('div', { class: 'form-actions' }, submit));

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const problems = [];
      const to = Array.from(form.querySelectorAll('input[name="adhoc-to"]:checked'), (i) => i.value);
      for (const g of groups.value.split(',').map((s) => s.trim()).filter(Boolean)) to.push(g.startsWith('group:') ? g : `group:${g}`);
      if (!title.value.trim()) problems.push(t('ui.composer.need.title'));
      if (!body.value.trim()) problems.push(t('ui.composer.need.body'));
      if (!to.length) problems.push(t('ui.composer.need.recipient'));
      const adhoc = { title: title.value.trim(), body: body.value, channel: channel.value, from: from.value, to };
      if (severity.value) adhoc.severity = severity.value;
      if (tlp.value) adhoc.tlp = tlp.value;
      if (expOn.checked) {
        const mins = Number(expWithin.value);
        if (!(mins > 0)) problems.push(t('ui.composer.need.deadline'));
        if (!expObjective.value) problems.push(t('ui.composer.need.objective'));
        adhoc.expectations = [{ action: expAction.value, within: Math.round(mins * MIN), points: Math.max(0, Math.round(Number(expPoints.value) || 0)), objective: expObjective.value }];
      }
      if (problems.length) {
        err.textContent = t('ui.composer.needs', { list: problems.join(t('report.format.list_sep')) });
        err.hidden = false;
        return;
      }
      const ok = await pending(submit, () => ctx.socket.command({ type: 'send_inject', adhoc }), { errorEl: err, socket: ctx.socket, doneLabel: t('ui.sent') });
      if (ok) {
        title.value = '';
        body.value = '';
        replace(preview);
      }
    });
    replace(root, form);
  }
}
