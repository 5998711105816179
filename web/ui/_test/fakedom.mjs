// A stand-in for the few DOM features the timeline and the decision panel
// use (elements in a tree, text, dataset, classList, attributes, listeners,
// focus, scrollTop), so that their drawing can be tested under node. It is
// not a DOM: a test that needs layout, events beyond click or selectors
// uses Chromium (the web package's browser tests).

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

  focus() {
    globalThis.document.activeElement = this;
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

  before(node) {
    this.parentNode.insertBefore(node, this);
  }

  after(node) {
    const siblings = this.parentNode.childNodes;
    this.parentNode.insertBefore(node, siblings[siblings.indexOf(this) + 1] || null);
  }
}

/** installFakeDOM makes `document` and `Node` the stand-ins and returns the body. */
export function installFakeDOM() {
  const body = new FakeElement('body');
  globalThis.Node = FakeNode;
  globalThis.document = {
    body,
    activeElement: body,
    createElement: (tag) => new FakeElement(tag),
    createTextNode: (text) => new FakeText(text),
    // A fragment stands in as an element of its own: appended, it stays
    // one level deeper, which text and queries do not notice.
    createDocumentFragment: () => new FakeElement('#document-fragment'),
  };
  return body;
}
