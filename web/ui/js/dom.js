// Tiny DOM helpers. Text is always set with textContent (never innerHTML),
// so data from the server or from users can never become markup.
import { t } from './i18n.js';

/**
 * h(tag, attrs, ...children) builds an element.
 * attrs: class (string or array), dataset ({k: v}), on ({event: fn}),
 * aria-* and other attributes (set with setAttribute), and a few
 * properties (value, checked, disabled, selected, hidden, textContent).
 * children: strings (become text nodes), nodes, arrays, null/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') {
        el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
      } else if (k === 'dataset') {
        for (const [dk, dv] of Object.entries(v)) if (dv !== undefined && dv !== null) el.dataset[dk] = String(dv);
      } else if (k === 'on') {
        for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      } else if (PROPS.has(k)) {
        el[k] = v;
      } else if (v === true) {
        el.setAttribute(k, '');
      } else {
        el.setAttribute(k, String(v));
      }
    }
  }
  append(el, children);
  return el;
}

const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'textContent', 'htmlFor', 'multiple', 'required', 'open']);

/** append adds children (strings, nodes, nested arrays) to el. */
export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

/** clear removes every child of el. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** replace clears el and appends children. */
export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

/**
 * placeInOrder makes els the element children of list, in order, moving as
 * few of them as it can, and removes the other children: an element
 * someone is using (a radio pressed, a select open, the keyboard on it)
 * stays where it is unless it must move. Keep one element per item and
 * update it in place, then place them with this, rather than replace()
 * the list on every change.
 */
export function placeInOrder(list, els) {
  const keep = new Set(els);
  for (const c of [...list.children]) if (!keep.has(c)) c.remove();
  let next = null;
  for (let i = els.length - 1; i >= 0; i--) {
    const el = els[i];
    if (el.parentNode !== list || el.nextElementSibling !== next) list.insertBefore(el, next);
    next = el;
  }
}

/** $ returns the first element matching sel (in root or document). */
export function $(sel, root = document) {
  return root.querySelector(sel);
}

/** $$ returns every element matching sel as an array. */
export function $$(sel, root = document) {
  return Array.from(root.querySelectorAll(sel));
}

/** option builds an <option>. */
export function option(value, label, selected = false) {
  return h('option', { value, selected }, label ?? value);
}

/** copyText copies text to the clipboard, with a fallback for insecure origins. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch { /* fall through */ }
  }
  const ta = h('textarea', { class: 'offscreen', 'aria-hidden': 'true', readonly: true });
  ta.value = text;
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  ta.remove();
  return ok;
}

/** copyButton returns a button that copies getText() and says so. */
export function copyButton(getText, label = t('ui.copy'), extra = {}) {
  const btn = h('button', { type: 'button', class: 'btn btn-small btn-copy', ...extra }, label);
  btn.addEventListener('click', async () => {
    const ok = await copyText(typeof getText === 'function' ? getText() : getText);
    btn.textContent = ok ? t('ui.copied') : t('ui.copy_failed');
    btn.classList.toggle('copied', ok);
    setTimeout(() => { btn.textContent = label; btn.classList.remove('copied'); }, 1500);
  });
  return btn;
}

let idCounter = 0;
/** uid returns a document-unique id with prefix, for label/for pairs. */
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * DRAW_EVERY is how often (ms) at most a view that events feed draws what
 * came since it last did (see batched).
 */
export const DRAW_EVERY = 100;

/**
 * batched returns a function that asks for fn to run: at once when fn has
 * not run for ms, otherwise once when ms have passed since it did, however
 * often it is asked meanwhile. A view that events feed thus draws each
 * event at once in a quiet exercise, and a few times a second when a
 * staff page of a large one receives thousands of events a second.
 */
export function batched(fn, ms) {
  let timer = null;
  let last = -Infinity;
  const run = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  return () => {
    if (timer !== null) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
}

/**
 * SETTLE_MS is how long (ms) after a press ends a list still counts as in
 * use: a tap's click comes after its pointerup and pointerleave, as a
 * later input event, and must land on what was under the finger.
 */
export const SETTLE_MS = 300;

/**
 * PointerUse tells a list that changes by itself (rows come, go or change
 * places as events arrive) when a change would move something out from
 * under the pointer, so that it waits. The list el is in use:
 *   - while the pointer is over it (unless hover is false);
 *   - while a press is under way anywhere on the page (a list that changes
 *     height moves the controls below it too), or only in the list when
 *     pressAnywhere is false, and for SETTLE_MS after;
 *   - for linger ms after a press or a click in it (a list whose buttons a
 *     touch user taps one after another holds still between the taps).
 * onChange runs when the pointer leaves el and when one of the waits above
 * ends: el may be free then. The list checks inUse(), and whatever else
 * holds it (the keyboard in it, a dialog opened from it), before it draws
 * what waited; onChange must do nothing when nothing waited.
 */
export class PointerUse {
  constructor(el, onChange, { hover = true, linger = 0, pressAnywhere = true } = {}) {
    this.over = false;
    this.down = false;
    this.settleUntil = 0;
    this.lingerUntil = 0;
    const after = (ms) => setTimeout(onChange, ms + 5); // a little more, so that the wait has ended
    if (hover) {
      el.addEventListener('pointerenter', () => { this.over = true; });
      el.addEventListener('pointerleave', () => { this.over = false; onChange(); });
    }
    if (linger > 0) {
      const stay = () => {
        this.lingerUntil = Date.now() + linger;
        after(linger);
      };
      el.addEventListener('pointerdown', stay);
      el.addEventListener('click', stay);
    }
    // Captured on the document, so that a press anywhere counts, whatever
    // the element pressed does with the event; the release is heard there
    // in any case (the pointer may have left the list).
    if (pressAnywhere) document.addEventListener('pointerdown', () => { this.down = true; }, true);
    else el.addEventListener('pointerdown', () => { this.down = true; });
    const release = () => {
      if (!this.down) return; // not a press that counts
      this.down = false;
      this.settleUntil = Date.now() + SETTLE_MS;
      after(SETTLE_MS);
    };
    document.addEventListener('pointerup', release, true);
    document.addEventListener('pointercancel', release, true);
    // A release the page never heard (Safari sends none after a <select>'s
    // own popup): the pointer moving with no button down ends the press.
    document.addEventListener('pointermove', (e) => { if (this.down && e.buttons === 0) release(); }, true);
  }

  /** pressing reports whether a press is under way (see pressAnywhere), or ended less than SETTLE_MS ago. */
  pressing() {
    return this.down || Date.now() < this.settleUntil;
  }

  /** inUse reports whether the pointer may be using the list now (see PointerUse). */
  inUse() {
    return this.over || this.pressing() || Date.now() < this.lingerUntil;
  }
}
