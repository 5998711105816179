// The facilitator's SimCell console: the queue of what human teams address
// to the scenario's actors (escalations, requests for information, reports,
// replies in threads with an actor), oldest first with its age, answered in
// the actor's role from its reply templates or in free text, optionally
// with a follow-up inject. The queue comes with every staff status
// (status.simcell, see docs/protocol.md "SimCell"); answers and claims are
// the commands simcell_answer and simcell_claim.
//
// Test hooks: #simcell (data-open), #simcell-queue li.simcell-item
// [data-seq][data-kind][data-claimed-by], .simcell-age, buttons
// .simcell-answer-open and forms .simcell-form with #simcell-mode-SEQ,
// #simcell-text-SEQ and .simcell-send (data-state), #simcell-answered li.
import { h, option, replace } from './dom.js';
import { pending } from './page.js';
import { fmtTShort, fmtDuration, CHANNELS, channelLabel, TLP_LEVELS, tlpLabel } from './format.js';
import { i18n, t } from './i18n.js';

/* ---------- pure functions (web/ui/_test/simcell.test.mjs) ---------- */

/** ageOf is how long an item has waited at virtual time now (ns, never negative). */
export function ageOf(item, now) {
  return Math.max(0, (now || 0) - (item.at || 0));
}

/** claimState says who holds an item from the point of view of me: '' (nobody), 'you' or 'other'. */
export function claimState(item, me) {
  if (!item.claimed_by) return '';
  return item.claimed_by === me ? 'you' : 'other';
}

/** answerCommand builds the simcell_answer command of a filled-in form; a text still equal to the template sends the template. */
export function answerCommand(item, { mode, text, tlp, followup }) {
  const cmd = { type: 'simcell_answer', message: item.seq };
  const tmpl = (item.templates || {})[mode];
  if (mode !== 'free' && tmpl !== undefined && text.trim() === tmpl.trim()) cmd.kind = mode;
  else cmd.text = text.trim();
  if (tlp) cmd.tlp = tlp;
  if (followup) cmd.adhoc = { title: followup.title, body: followup.body, channel: followup.channel, to: [item.team], from: item.actor };
  return cmd;
}

/* ---------- the panel ---------- */

const MODES = ['rfi', 'message', 'free'];

/** SimCellPanel is the SimCell section of the facilitator page. */
export class SimCellPanel {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.me = ctx.you.name || '';
    this.items = new Map(); // seq → {item, li}
    this.open = [];
    this.answered = [];
    this.ended = false;
    this.render();
    ctx.socket.on('status', (m) => this.update((m && m.status) || {}));
    ctx.clock.onTick((now) => this.tick(now));
    i18n.onChange(() => this.render());
  }

  actor(id) { return this.ctx.dir.actorName(id); }

  render() {
    this.count = h('span', { id: 'simcell-count', class: 'count-badge', hidden: true });
    this.list = h('ol', { id: 'simcell-queue', class: 'simcell-queue', 'aria-label': t('simcell.queue') });
    this.empty = h('p', { id: 'simcell-empty', class: 'muted' }, t('simcell.empty'));
    this.done = h('ul', { id: 'simcell-answered', class: 'simcell-answered' });
    this.doneWrap = h('details', { class: 'simcell-done-wrap', hidden: true }, h('summary', null, t('simcell.answered.title')), this.done);
    replace(this.root,
      h('div', { class: 'panel-head' }, h('h2', { id: 'simcell-h' }, t('simcell.title'), ' ', this.count)),
      h('p', { class: 'hint' }, t('simcell.hint')),
      this.list, this.empty, this.doneWrap);
    this.items.clear();
    this.update(this.status || {});
  }

  /** update shows the queue of a status message: new items are added, gone ones removed, the rest updated in place (a form being filled in stays). */
  update(st) {
    this.status = st;
    this.ended = st.status === 'ended';
    const sc = st.simcell;
    if (!sc) return;
    const open = sc.open || [];
    const seqs = new Set(open.map((it) => it.seq));
    for (const [seq, row] of this.items) {
      if (!seqs.has(seq)) { row.li.remove(); this.items.delete(seq); }
    }
    for (const item of open) {
      const row = this.items.get(item.seq);
      if (row) { row.item = item; this.paintClaim(row); continue; }
      const fresh = this.row(item);
      this.items.set(item.seq, fresh);
      this.list.appendChild(fresh.li);
    }
    this.root.dataset.open = String(open.length);
    this.count.hidden = open.length === 0;
    this.count.textContent = t('simcell.waiting', { count: open.length });
    this.empty.hidden = open.length > 0;
    for (const b of this.root.querySelectorAll('button.simcell-needs-running')) b.disabled = this.ended;
    this.paintAnswered(sc.answered || []);
    this.tick(this.ctx.clock.now());
  }

  tick(now) {
    for (const el of this.list.querySelectorAll('.simcell-age[data-at]')) {
      const text = t('simcell.age', { time: fmtDuration(ageOf({ at: Number(el.dataset.at) }, now)) });
      if (el.textContent !== text) el.textContent = text;
    }
  }

  row(item) {
    const dir = this.ctx.dir;
    const claim = h('p', { class: 'simcell-claim' });
    const answerBtn = h('button', { type: 'button', class: 'btn btn-small btn-primary simcell-answer-open simcell-needs-running', disabled: this.ended, 'aria-expanded': 'false' },
      t('simcell.answer', { actor: this.actor(item.actor) }));
    const li = h('li', { class: 'simcell-item', dataset: { seq: item.seq, kind: item.kind } },
      h('div', { class: 'simcell-top' },
        h('span', { class: `badge simcell-kind simcell-kind-${item.kind}` }, t(`simcell.kind.${item.kind}`)),
        h('strong', { class: 'simcell-actor' }, t('simcell.to', { actor: this.actor(item.actor) })),
        h('span', { class: 'simcell-age', dataset: { at: item.at } })),
      h('p', { class: 'simcell-from' }, t('simcell.from', { team: dir.teamName(item.team), person: item.by, at: fmtTShort(item.at) }),
        item.inject ? ` · ${t('simcell.about', { inject: item.inject, title: dir.injectTitle(item.inject) || item.inject })}` : ''),
      item.text ? h('blockquote', { class: 'simcell-text' }, item.text) : null,
      claim,
      h('div', { class: 'btn-row' }, answerBtn));
    const row = { item, li, claim, answerBtn, form: null };
    answerBtn.addEventListener('click', () => this.toggleForm(row));
    this.paintClaim(row);
    return row;
  }

  paintClaim(row) {
    const { item, claim, li } = row;
    const state = claimState(item, this.me);
    li.dataset.claimedBy = item.claimed_by || '';
    li.classList.toggle('simcell-claimed-other', state === 'other');
    claim.hidden = !state;
    claim.textContent = state === 'you' ? t('simcell.claimed_you', { at: fmtTShort(item.claimed_at) })
      : state === 'other' ? t('simcell.claimed_other', { name: item.claimed_by, at: fmtTShort(item.claimed_at) }) : '';
    if (row.warn) {
      row.warn.hidden = state !== 'other';
      row.warn.textContent = state === 'other' ? t('simcell.warn_claimed', { name: item.claimed_by }) : '';
    }
  }

  toggleForm(row) {
    if (row.form) {
      row.form.remove();
      row.form = null;
      row.answerBtn.setAttribute('aria-expanded', 'false');
      return;
    }
    row.form = this.form(row);
    row.li.appendChild(row.form);
    row.answerBtn.setAttribute('aria-expanded', 'true');
    row.form.querySelector('textarea').focus();
    // Opening the form claims the item, so other controllers see who is on it.
    if (claimState(row.item, this.me) !== 'you') {
      this.ctx.socket.command({ type: 'simcell_claim', message: row.item.seq }).catch(() => { /* shown by the answer, if it matters */ });
    }
  }

  form(row) {
    const { item } = row;
    const seq = item.seq;
    const ferr = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    row.warn = h('p', { class: 'tlp-warning simcell-warn', hidden: true, 'aria-live': 'polite' });
    const mode = h('select', { id: `simcell-mode-${seq}` }, MODES.map((m) => option(m, t(`simcell.mode.${m}`))));
    const text = h('textarea', { id: `simcell-text-${seq}`, rows: '4', maxlength: '8000', 'aria-describedby': `simcell-text-${seq}-hint` });
    const tlp = h('select', { id: `simcell-tlp-${seq}` }, option('', t('simcell.tlp_default')), TLP_LEVELS.map((l) => option(l, tlpLabel(l))));
    const fillTemplate = () => { if (mode.value !== 'free') text.value = (item.templates || {})[mode.value] || ''; };
    mode.value = item.template || 'message';
    fillTemplate();
    mode.addEventListener('change', fillTemplate);
    // Editing a template makes it free text.
    text.addEventListener('input', () => { if (mode.value !== 'free' && text.value !== (item.templates || {})[mode.value]) mode.value = 'free'; });
    const fuOn = h('input', { type: 'checkbox', id: `simcell-fu-${seq}` });
    const fuTitle = h('input', { type: 'text', id: `simcell-fu-title-${seq}`, maxlength: '200', autocomplete: 'off' });
    const fuBody = h('textarea', { id: `simcell-fu-body-${seq}`, rows: '3', maxlength: '32768' });
    const fuChannel = h('select', { id: `simcell-fu-channel-${seq}` }, Object.keys(CHANNELS).map((k) => option(k, channelLabel(k))));
    const fuFields = h('div', { class: 'stack', hidden: true },
      field(`simcell-fu-title-${seq}`, t('simcell.followup_title'), fuTitle),
      field(`simcell-fu-body-${seq}`, t('simcell.followup_body'), fuBody),
      field(`simcell-fu-channel-${seq}`, t('simcell.followup_channel'), fuChannel));
    fuOn.addEventListener('change', () => { fuFields.hidden = !fuOn.checked; });
    const send = h('button', { type: 'submit', class: 'btn btn-primary simcell-send simcell-needs-running', disabled: this.ended }, t('simcell.send', { actor: this.actor(item.actor) }));
    const cancel = h('button', { type: 'button', class: 'btn', on: { click: () => this.toggleForm(row) } }, t('simcell.cancel'));
    const form = h('form', { class: 'simcell-form stack', novalidate: true, 'aria-label': t('simcell.form_label', { actor: this.actor(item.actor) }) },
      row.warn,
      h('div', { class: 'row' },
        field(`simcell-mode-${seq}`, t('simcell.mode'), mode),
        field(`simcell-tlp-${seq}`, t('simcell.tlp'), tlp)),
      field(`simcell-text-${seq}`, t('simcell.text'), text, t('simcell.text_hint')),
      h('div', { class: 'field' }, h('label', { class: 'check', for: `simcell-fu-${seq}` }, fuOn, ` ${t('simcell.followup')}`)),
      fuFields, ferr,
      h('div', { class: 'form-actions btn-row' }, send, cancel));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const fail = (key, el) => { ferr.textContent = t(key); ferr.hidden = false; el.focus(); };
      if (!text.value.trim()) return fail('simcell.error.no_text', text);
      if (fuOn.checked && (!fuTitle.value.trim() || !fuBody.value.trim())) return fail('simcell.error.followup', fuTitle.value.trim() ? fuBody : fuTitle);
      ferr.hidden = true;
      const cmd = answerCommand(item, {
        mode: mode.value, text: text.value, tlp: tlp.value,
        followup: fuOn.checked ? { title: fuTitle.value.trim(), body: fuBody.value, channel: fuChannel.value } : null,
      });
      pending(send, () => this.ctx.socket.command(cmd).catch((err) => {
        // The engine refuses a second answer with conflict: say so plainly.
        if (err && err.code === 'conflict' && !this.ended) err.key = 'simcell.error.answered';
        throw err;
      }), { errorEl: ferr, socket: this.ctx.socket, doneLabel: t('simcell.sent') });
    });
    this.paintClaim(row);
    return form;
  }

  paintAnswered(list) {
    this.doneWrap.hidden = list.length === 0;
    replace(this.done, list.map((it) => h('li', { dataset: { seq: it.seq } },
      t('simcell.answered.line', {
        kind: t(`simcell.kind.${it.kind}`), team: this.ctx.dir.teamName(it.team), actor: this.actor(it.actor),
        name: it.answered_by, time: fmtDuration(ageOf(it, it.answered_at)),
      }))));
  }
}

function field(id, label, control, hint) {
  return h('div', { class: 'field' },
    h('label', { for: id, class: 'field-label' }, label),
    control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
}

/** mountSimCell builds the SimCell console in #simcell. */
export function mountSimCell(ctx) {
  const root = document.querySelector('#simcell');
  return root ? new SimCellPanel(root, ctx) : null;
}
