// A stand-in for the few DOM features the consoles' panels use (elements in
// a tree, text, dataset, classList, attributes, listeners, focus, scrollTop,
// simple selectors, listeners on the document), so that their drawing can
// be tested under node. It is not a DOM: a test that needs layout, real
// events or complex selectors uses Chromium (the web package's browser
// tests).

/** ROW is the height (px) of every fake element. */
const ROW = 20;

class FakeNode {
  constructor() {
    this.parentNode = null;
    this.childNodes = [];
  }

  get isConnected() {
    let n = this;
    while (n.parentNode) n = n.parentNode;
    return n === globalThis.document.body;
  }

  get textContent() {
    return this.childNodes.map((c) => c.textContent).join('');
  }

  set textContent(text) {
    this.replaceChildren(new FakeText(String(text)));
  }

  appendChild(child) {
    return this.insertBefore(child, null);
  }

  insertBefore(child, ref) {
    child.remove();
    const at = ref ? this.childNodes.indexOf(ref) : this.childNodes.length;
    if (at < 0) throw new Error('insertBefore: the reference is not a child');
    this.childNodes.splice(at, 0, child);
    child.parentNode = this;
    return child;
  }

  contains(node) {
    for (let n = node; n; n = n.parentNode) if (n === this) return true;
    return false;
  }

  removeChild(child) {
    child.remove();
    return child;
  }

  remove() {
    if (!this.parentNode) return;
    const siblings = this.parentNode.childNodes;
    siblings.splice(siblings.indexOf(this), 1);
    this.parentNode = null;
  }

  get firstChild() {
    return this.childNodes[0] || null;
  }

  append(...nodes) {
    for (const n of nodes) this.appendChild(typeof n === 'string' ? new FakeText(n) : n);
  }

  replaceChildren(...nodes) {
    for (const c of [...this.childNodes]) c.remove();
    this.append(...nodes);
  }
}

class FakeText extends FakeNode {
  constructor(text) {
    super();
    this.text = text;
  }

  get textContent() {
    return this.text;
  }
}

class FakeElement extends FakeNode {
  constructor(tag) {
    super();
    this.tagName = tag.toUpperCase();
    this.dataset = {};
    this.attributes = {};
    this.listeners = {};
    this.hidden = false;
    this.className = '';
    this.value = '';
    this.scrollTop = 0;
  }

  /** classList reads and writes className, as the browser's does. */
  get classList() {
    const names = () => this.className.split(/\s+/).filter(Boolean);
    const set = (list) => { this.className = list.join(' '); };
    return {
      contains: (c) => names().includes(c),
      add: (...cs) => set([...new Set([...names(), ...cs])]),
      remove: (...cs) => set(names().filter((n) => !cs.includes(n))),
      toggle: (c, on = !names().includes(c)) => { set(on ? [...new Set([...names(), c])] : names().filter((n) => n !== c)); return on; },
    };
  }

  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }

  hasAttribute(name) {
    return name in this.attributes;
  }

  removeAttribute(name) {
    delete this.attributes[name];
  }

  getAttribute(name) {
    return this.attributes[name] ?? null;
  }

  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }

  /** fire calls the listeners of an event type, as the browser would for a scroll, click or focusout. */
  fire(type, detail = {}) {
    for (const fn of this.listeners[type] || []) fn({ target: this, ...detail });
  }

  click() {
    this.fire('click');
  }

  removeEventListener(type, fn) {
    this.listeners[type] = (this.listeners[type] || []).filter((f) => f !== fn);
  }

  focus() {
    globalThis.document.activeElement = this;
  }

  blur() {
    if (globalThis.document.activeElement === this) globalThis.document.activeElement = globalThis.document.body;
  }

  /** matches tells whether the element matches sel (see compound for what a selector may hold). */
  matches(sel) {
    return sel.split(',').some((s) => matchesSelector(this, s));
  }

  querySelectorAll(sel) {
    return descendants(this).filter((el) => el.matches(sel));
  }

  /** closest returns the element itself or its nearest ancestor element matching sel, else null. */
  closest(sel) {
    for (let n = this; n && n.tagName; n = n.parentNode) if (n.matches(sel)) return n;
    return null;
  }

  querySelector(sel) {
    return this.querySelectorAll(sel)[0] || null;
  }

  prepend(node) {
    this.insertBefore(node, this.firstChild);
  }

  /** reset empties a form's text fields and unchecks its boxes, as the browser's form.reset() does for fields without defaults. */
  reset() {
    for (const el of this.querySelectorAll('textarea')) el.value = '';
    for (const el of this.querySelectorAll('input')) el.checked = false;
  }

  get children() {
    return this.childNodes.filter((c) => c instanceof FakeElement);
  }

  /** getBoundingClientRect is all the layout there is: each element a row of ROW px below its previous sibling, moved up by its parent's scrollTop. */
  getBoundingClientRect() {
    const parent = this.parentNode;
    const top = parent ? parent.children.indexOf(this) * ROW - parent.scrollTop : 0;
    return { top, bottom: top + ROW, height: ROW };
  }

  get firstElementChild() {
    return this.children[0] || null;
  }

  get lastElementChild() {
    return this.children.at(-1) || null;
  }

  get childElementCount() {
    return this.children.length;
  }

  get nextElementSibling() {
    if (!this.parentNode) return null;
    const siblings = this.parentNode.children;
    return siblings[siblings.indexOf(this) + 1] || null;
  }

  replaceWith(node) {
    this.parentNode.insertBefore(node, this);
    this.remove();
  }

  before(node) {
    this.parentNode.insertBefore(node, this);
  }

  after(node) {
    const siblings = this.parentNode.childNodes;
    this.parentNode.insertBefore(node, siblings[siblings.indexOf(this) + 1] || null);
  }
}

/**
 * compound tells whether el matches one compound selector: a tag, #id,
 * .class, [attr] or [attr=value] (data-* read from dataset), :checked,
 * :hover (el.hovered, as a test sets it) and :focus-visible (focused while
 * document.focusVisible, as a test sets it).
 */
function compound(el, sel) {
  const m = /^([a-z0-9-]*)((?:[#.][\w-]+|\[[\w-]+(?:=(?:"[^"]*"|'[^']*'|[\w-]*))?\]|:[\w-]+)*)$/i.exec(sel);
  if (!m) throw new Error(`fakedom: unsupported selector ${sel}`);
  if (m[1] && el.tagName !== m[1].toUpperCase()) return false;
  for (const part of m[2].match(/[#.][\w-]+|\[[^\]]+\]|:[\w-]+/g) || []) {
    const name = part.slice(1);
    if (part[0] === '#' && el.getAttribute('id') !== name) return false;
    if (part[0] === '.' && !el.classList.contains(name)) return false;
    if (part[0] === '[') {
      const [, attr, value] = /^\[([\w-]+)(?:=["']?([^"'\]]*)["']?)?\]$/.exec(part);
      const got = attr.startsWith('data-') ? el.dataset[attr.slice(5).replace(/-(\w)/g, (_, c) => c.toUpperCase())] : el.getAttribute(attr);
      if (got === undefined || got === null || (value !== undefined && String(got) !== value)) return false;
    }
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

/** descendants lists the element descendants of root in document order. */
export function descendants(root) {
  const out = [];
  for (const c of root.children) out.push(c, ...descendants(c));
  return out;
}

/**
 * installFakeDOM makes `document` and `Node` the stand-ins and returns the
 * body. document.fire(type, event) calls the document's listeners of type,
 * as the browser would for a press anywhere on the page;
 * document.focusVisible says whether the focused element shows keyboard
 * focus (:focus-visible).
 */
export function installFakeDOM() {
  const body = new FakeElement('body');
  const listeners = {};
  globalThis.Node = FakeNode;
  globalThis.document = {
    body,
    activeElement: body,
    focusVisible: false,
    createElement: (tag) => new FakeElement(tag),
    createTextNode: (text) => new FakeText(text),
    // A fragment stands in as an element of its own: appended, it stays
    // one level deeper, which text and queries do not notice.
    createDocumentFragment: () => new FakeElement('#document-fragment'),
    querySelector: (sel) => body.querySelector(sel),
    querySelectorAll: (sel) => body.querySelectorAll(sel),
    getElementById: (id) => body.querySelector(`#${id}`),
    addEventListener: (type, fn) => { (listeners[type] ||= []).push(fn); },
    removeEventListener: (type, fn) => { listeners[type] = (listeners[type] || []).filter((f) => f !== fn); },
    fire: (type, event = {}) => { for (const fn of listeners[type] || []) fn({ target: body, ...event }); },
  };
  return body;
}

/** tick waits for the timers due now (a setTimeout(fn) the code under test set) to run. */
export function tick(ms = 0) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}
