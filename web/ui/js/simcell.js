// The facilitator's SimCell console: the queue of what human teams address
// to the scenario's actors (escalations, requests for information, reports,
// replies in threads with an actor), oldest first with its age, answered in
// the actor's role from its reply templates or in free text, optionally
// with a follow-up inject. The queue comes with every staff status
// (status.simcell, see docs/protocol.md "SimCell"); answers and claims are
// the commands simcell_answer and simcell_claim.
//
// An item another controller answers leaves the queue, unless this
// controller has its answer form open: that row stays, marked as answered,
// its send disabled, until the controller has copied the draft and
// dismissed it.
//
// Test hooks: #simcell (data-open), #simcell-queue li.simcell-item
// [data-seq][data-kind][data-claimed-by][data-answered], .simcell-age,
// buttons .simcell-answer-open and forms .simcell-form with
// #simcell-mode-SEQ, #simcell-text-SEQ and .simcell-send (data-state),
// .simcell-gone (the mark of an answered row) with .simcell-gone-copy and
// .simcell-gone-dismiss, #simcell-answered li.
import { h, option, replace, copyButton, PointerUse } from './dom.js';
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

/** HOLD_MS is how long (ms) a press or a click holds the queue still, for the next tap to land. */
const HOLD_MS = 4000;

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
    this.watchPointer();
    this.empty = h('p', { id: 'simcell-empty', class: 'muted' }, t('simcell.empty'));
    this.done = h('ul', { id: 'simcell-answered', class: 'simcell-answered' });
    this.doneWrap = h('details', { class: 'simcell-done-wrap', hidden: true }, h('summary', null, t('simcell.answered.title')), this.done);
    replace(this.root,
      // The heading takes the keyboard when the last row goes (see dismiss).
      h('div', { class: 'panel-head' }, this.heading = h('h2', { id: 'simcell-h', tabindex: '-1' }, t('simcell.title'), ' ', this.count)),
      h('p', { class: 'hint' }, t('simcell.hint')),
      this.list, this.empty, this.doneWrap);
    this.items.clear();
    this.update(this.status || {});
  }

  /**
   * watchPointer holds the queue still while the pointer uses it (over it,
   * pressing, and for HOLD_MS after a press or a click in it, since a touch
   * has no hover; see PointerUse): a row answered elsewhere then stays,
   * its buttons off, so that the rows below do not move another item's
   * "Answer" under the pointer (a claim on the wrong item). The rows go
   * when the pointer is done.
   */
  watchPointer() {
    this.pointerUse = new PointerUse(this.list, () => this.resume(), { linger: HOLD_MS });
  }

  /** holding reports whether the queue must not move now (see watchPointer). */
  holding() {
    return this.pointerUse.inUse();
  }

  /** resume lets the rows that waited for the pointer go (see waitGone); with none waiting it does nothing. */
  resume() {
    if (this.holding() || !this.status) return;
    for (const row of this.items.values()) {
      if (row.gone && !row.form) { this.update(this.status); return; }
    }
  }

  /**
   * update shows the queue of a status message: new items are added, gone
   * ones removed, the rest updated in place (a form being filled in
   * stays). A gone item whose answer form is open here stays, marked as
   * answered (see gone).
   */
  update(st) {
    this.status = st;
    this.ended = st.status === 'ended';
    const sc = st.simcell;
    if (!sc) return;
    const open = sc.open || [];
    const seqs = new Set(open.map((it) => it.seq));
    const answered = new Map((sc.answered || []).map((it) => [it.seq, it]));
    for (const [seq, row] of this.items) {
      if (seqs.has(seq)) continue;
      // A row sent from here, or with no form open, has nothing to lose:
      // it goes, unless the pointer is over the queue (see watchPointer).
      if (row.sent) this.drop(row);
      else if (!row.form && this.holding()) this.waitGone(row, answered.get(seq) || {});
      else if (!row.form) this.drop(row);
      else this.gone(row, answered.get(seq) || row.gone || {});
    }
    for (const item of open) {
      const row = this.items.get(item.seq);
      if (row) {
        row.item = item;
        if (row.gone) this.back(row);
        this.paintClaim(row);
        continue;
      }
      const fresh = this.row(item);
      this.items.set(item.seq, fresh);
      this.list.appendChild(fresh.li);
    }
    this.root.dataset.open = String(open.length);
    this.count.hidden = open.length === 0;
    this.count.textContent = t('simcell.waiting', { count: open.length });
    this.empty.hidden = this.items.size > 0;
    for (const row of this.items.values()) this.paintRunning(row);
    this.paintAnswered(sc.answered || []);
    this.tick(this.ctx.clock.now());
  }

  /**
   * paintRunning enables a row's buttons while the exercise runs. A send
   * under way stays disabled (enabling it would let a second click send a
   * second answer), and so do the buttons of a row answered, here or
   * elsewhere, until the status takes it away.
   */
  paintRunning(row) {
    for (const b of [row.answerBtn, row.send]) {
      if (!b || b.dataset.state === 'pending') continue;
      b.disabled = this.ended || !!row.gone || row.sent;
    }
  }

  tick(now) {
    for (const row of this.items.values()) {
      const el = row.age;
      const text = t('simcell.age', { time: fmtDuration(ageOf({ at: Number(el.dataset.at) }, now)) });
      if (el.textContent !== text) el.textContent = text;
    }
  }

  /** drop takes a row out of the panel. */
  drop(row) {
    row.li.remove();
    this.items.delete(row.item.seq);
    this.empty.hidden = this.items.size > 0;
  }

  /**
   * gone marks a row whose item another controller answered while its form
   * is open here (answer: the item from status.simcell.answered, or {}):
   * the draft stays to be copied, the send is disabled. A send under way
   * decides for itself (see form): it may be this controller's answer.
   */
  gone(row, answer) {
    row.gone = answer;
    if (row.send && row.send.dataset.state === 'pending') return;
    row.li.dataset.answered = 'true';
    // Written only when it changes: the mark is a live region, read out at each change.
    const text = answer.answered_by ? t('simcell.gone_by', { name: answer.answered_by }) : t('simcell.gone');
    if (row.goneText.textContent !== text) row.goneText.textContent = text;
    row.goneEl.hidden = false;
    this.paintRunning(row);
  }

  /** waitGone keeps a row answered elsewhere, with no form open here, while the pointer holds the queue: marked answered, its buttons off. */
  waitGone(row, answer) {
    row.gone = answer;
    row.li.dataset.answered = 'true';
    this.paintRunning(row);
  }

  /** back undoes gone for an item the queue holds again. */
  back(row) {
    row.gone = null;
    delete row.li.dataset.answered;
    row.goneEl.hidden = true;
    this.paintRunning(row);
  }

  /** dismiss takes away an answered row; the keyboard goes to the next row, or to the heading. */
  dismiss(row) {
    const next = row.li.nextElementSibling;
    const had = row.li.contains(document.activeElement);
    this.drop(row);
    if (!had) return;
    const after = next && [...this.items.values()].find((r) => r.li === next);
    (after && !after.answerBtn.disabled ? after.answerBtn : this.heading).focus();
  }

  row(item) {
    const dir = this.ctx.dir;
    const claim = h('p', { class: 'simcell-claim' });
    const age = h('span', { class: 'simcell-age', dataset: { at: item.at } });
    const answerBtn = h('button', { type: 'button', class: 'btn btn-small btn-primary simcell-answer-open simcell-needs-running', disabled: this.ended, 'aria-expanded': 'false' },
      t('simcell.answer', { actor: this.actor(item.actor) }));
    const li = h('li', { class: 'simcell-item', dataset: { seq: item.seq, kind: item.kind } },
      h('div', { class: 'simcell-top' },
        h('span', { class: `badge simcell-kind simcell-kind-${item.kind}` }, t(`simcell.kind.${item.kind}`)),
        h('strong', { class: 'simcell-actor' }, t('simcell.to', { actor: this.actor(item.actor) })),
        age),
      h('p', { class: 'simcell-from' }, t('simcell.from', { team: dir.teamName(item.team), person: item.by, at: fmtTShort(item.at) }),
        item.inject ? ` · ${t('simcell.about', { inject: item.inject, title: dir.injectTitle(item.inject) || item.inject })}` : ''),
      item.text ? h('blockquote', { class: 'simcell-text' }, item.text) : null,
      claim,
      h('div', { class: 'btn-row' }, answerBtn));
    const row = { item, li, claim, age, answerBtn, form: null, send: null, text: null, gone: null, sent: false };
    this.goneMark(row);
    li.appendChild(row.goneEl);
    answerBtn.addEventListener('click', () => this.toggleForm(row));
    this.paintClaim(row);
    return row;
  }

  /** goneMark builds the (hidden) mark of a row answered elsewhere: who answered, a copy of the draft, a way to dismiss the row. */
  goneMark(row) {
    row.goneText = h('p', { class: 'simcell-gone-text' });
    const copy = copyButton(() => (row.text ? row.text.value : ''), t('simcell.copy_draft'), { class: 'btn btn-small btn-copy simcell-gone-copy' });
    const dismiss = h('button', { type: 'button', class: 'btn btn-small simcell-gone-dismiss' }, t('simcell.dismiss'));
    dismiss.addEventListener('click', () => this.dismiss(row));
    row.goneEl = h('div', { class: 'tlp-warning simcell-gone', role: 'status', hidden: true },
      row.goneText, h('div', { class: 'btn-row' }, copy, dismiss));
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
    // Closing the form of an answered row leaves nothing to keep.
    if (row.gone) { this.dismiss(row); return; }
    if (row.form) {
      row.form.remove();
      row.form = null;
      row.answerBtn.setAttribute('aria-expanded', 'false');
      return;
    }
    row.form = this.form(row);
    row.li.appendChild(row.form);
    row.answerBtn.setAttribute('aria-expanded', 'true');
    row.text.focus();
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
    row.text = text;
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
    const send = h('button', { type: 'submit', class: 'btn btn-primary simcell-send simcell-needs-running', disabled: this.ended || !!row.gone }, t('simcell.send', { actor: this.actor(item.actor) }));
    row.send = send;
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
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (send.disabled) return; // answered elsewhere meanwhile, or already sending
      const fail = (key, el) => { ferr.textContent = t(key); ferr.hidden = false; el.focus(); };
      if (!text.value.trim()) return fail('simcell.error.no_text', text);
      if (fuOn.checked && (!fuTitle.value.trim() || !fuBody.value.trim())) return fail('simcell.error.followup', fuTitle.value.trim() ? fuBody : fuTitle);
      ferr.hidden = true;
      const cmd = answerCommand(item, {
        mode: mode.value, text: text.value, tlp: tlp.value,
        followup: fuOn.checked ? { title: fuTitle.value.trim(), body: fuBody.value, channel: fuChannel.value } : null,
      });
      await pending(send, () => this.ctx.socket.command(cmd).catch((err) => {
        // The engine refuses a second answer with conflict: say so plainly.
        if (err && err.code === 'conflict' && !this.ended) err.key = 'simcell.error.answered';
        throw err;
      }), { errorEl: ferr, socket: this.ctx.socket, doneLabel: t('simcell.sent') });
      if (send.dataset.state === 'done') {
        // Answered from here: the row goes with the status that says so (at once if that came first).
        row.sent = true;
        if (row.gone) this.drop(row);
        else this.paintRunning(row);
      } else if (row.gone) {
        this.gone(row, row.gone);
      } else {
        this.paintRunning(row);
      }
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
