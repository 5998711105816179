// More of a DOM than fakedom.mjs gives, for the tests of the consoles'
// live controls (schedule_live, eeg_live, msel_live): simple selectors
// (tag, #id, .class, [attr], :checked and descendants), matches() with
// :hover and :focus-visible as the test sets them, prepend, listeners on
// the document, and a way to fire them. It patches the fake elements of
// fakedom.mjs from outside, which stays shared and untouched.
import { installFakeDOM } from './fakedom.mjs';

/** compound tells whether el matches one compound selector such as input.a#b[data-x]:checked. */
function compound(el, sel) {
  const m = /^([a-z0-9-]*)((?:[#.][\w-]+|\[[\w-]+\]|:[\w-]+)*)$/i.exec(sel);
  if (!m) throw new Error(`controls_livedom: unsupported selector ${sel}`);
  if (m[1] && el.tagName !== m[1].toUpperCase()) return false;
  for (const part of m[2].match(/[#.][\w-]+|\[[\w-]+\]|:[\w-]+/g) || []) {
    const name = part.slice(1);
    if (part[0] === '#' && el.getAttribute('id') !== name) return false;
    if (part[0] === '.' && !el.classList.contains(name)) return false;
    if (part[0] === '[' && el.getAttribute(name.slice(0, -1)) === null && !(name.slice(0, -1) in el.dataset)) return false;
    if (part === ':checked' && !el.checked) return false;
    if (part === ':hover' && !el.hovered) return false;
    if (part === ':focus-visible' && !(globalThis.document.activeElement === el && globalThis.document.focusVisible)) return false;
  }
  return true;
}

/** matchesSelector tells whether el matches sel: compounds separated by spaces (descendants). */
function matchesSelector(el, sel) {
  const parts = sel.trim().split(/\s+/);
  if (!compound(el, parts.at(-1))) return false;
  let n = el.parentNode;
  for (let i = parts.length - 2; i >= 0; i--) {
    while (n && !(n.tagName && compound(n, parts[i]))) n = n.parentNode;
    if (!n) return false;
    n = n.parentNode;
  }
  return true;
}

/** all lists the element descendants of root in document order. */
function descendants(root) {
  const out = [];
  for (const c of root.children) out.push(c, ...descendants(c));
  return out;
}

/**
 * installLiveDOM installs the fake DOM with the extras and returns
 * {body, fireDocument(type, event)}. document.focusVisible says whether
 * the focused element shows keyboard focus (:focus-visible).
 */
export function installLiveDOM() {
  const body = installFakeDOM();
  const proto = Object.getPrototypeOf(body);
  proto.matches = function matches(sel) { return sel.split(',').some((s) => matchesSelector(this, s)); };
  proto.querySelectorAll = function querySelectorAll(sel) { return descendants(this).filter((el) => el.matches(sel)); };
  proto.querySelector = function querySelector(sel) { return this.querySelectorAll(sel)[0] || null; };
  proto.prepend = function prepend(node) { this.insertBefore(node, this.firstChild); };
  proto.removeEventListener = function removeEventListener(type, fn) { this.listeners[type] = (this.listeners[type] || []).filter((f) => f !== fn); };
  proto.blur = function blur() { if (globalThis.document.activeElement === this) globalThis.document.activeElement = body; };
  const doc = globalThis.document;
  const listeners = {};
  doc.focusVisible = false;
  doc.querySelector = (sel) => body.querySelector(sel);
  doc.querySelectorAll = (sel) => body.querySelectorAll(sel);
  doc.getElementById = (id) => body.querySelector(`#${id}`);
  doc.addEventListener = (type, fn) => { (listeners[type] ||= []).push(fn); };
  doc.removeEventListener = (type, fn) => { listeners[type] = (listeners[type] || []).filter((f) => f !== fn); };
  const fireDocument = (type, event = {}) => { for (const fn of listeners[type] || []) fn({ target: body, ...event }); };
  return { body, fireDocument };
}

/** tick waits for the timers due now (a setTimeout(fn) the code under test set) to run. */
export function tick(ms = 0) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}
