// Languages of the consoles: the same message catalogs the server uses
// (GET /i18n/{lang}.json, internal/i18n/catalog/*.json in the sources), no
// build step.
//
// A message is a string with named placeholders, "{team} shared {inject}",
// or plural forms keyed by CLDR category, {"one": "{count} inject",
// "other": "{count} injects"}; the "count" argument picks the form
// (Intl.PluralRules), and "other" is the fallback. A key missing from the
// page's language falls back to English, then to the key itself.
//
// The language is, in order: the participant's saved choice (localStorage),
// the browser's languages (navigator.languages), English. Usage:
//
//   import { i18n, t } from './i18n.js';
//   await i18n.start({ participant: `${exercise}:${team}:${name}` });
//   header.append(i18n.languagePicker());
//   i18n.onChange(render);           // re-render when the reader switches
//   h('h2', null, t('report.section.summary'));

/** The supported languages, as the picker lists them: code (as in the
 * catalogs and scenarios), BCP 47 tag (for lang attributes and Intl) and
 * name in the language itself. */
export const LANGS = Object.freeze([
  Object.freeze({ code: 'en', tag: 'en', name: 'English' }),
  Object.freeze({ code: 'es', tag: 'es', name: 'Español' }),
  Object.freeze({ code: 'pt', tag: 'pt-BR', name: 'Português (Brasil)' }),
  Object.freeze({ code: 'fr', tag: 'fr', name: 'Français' }),
]);

/** DEFAULT_LANG is the language when nothing else fits. */
export const DEFAULT_LANG = 'en';

const STORAGE_KEY = 'cmesim.lang';
const LANG_COOKIE = 'cmesim_lang';
const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;

/** langOf returns the supported language entry for a code, or undefined. */
export function langOf(code) {
  return LANGS.find((l) => l.code === code);
}

/**
 * matchLanguage picks the supported code for a list of BCP 47 tags in
 * order of preference (navigator.languages): the first whose language
 * subtag is supported ("es-CO" → es, "pt-PT" → pt), else DEFAULT_LANG.
 */
export function matchLanguage(tags) {
  for (const tag of tags || []) {
    const primary = String(tag).trim().toLowerCase().split(/[-_]/)[0];
    if (langOf(primary)) return primary;
  }
  return DEFAULT_LANG;
}

/** numberFormats holds fill's number format per locale: making one costs far more than using it. */
const numberFormats = new Map();

function numberFormat(tag) {
  let f = numberFormats.get(tag);
  if (!f) {
    f = new Intl.NumberFormat(tag, { maximumFractionDigits: 2 });
    numberFormats.set(tag, f);
  }
  return f;
}

/**
 * fill replaces each {name} in text with args[name], numbers formatted for
 * the locale; a placeholder without an argument stays as written.
 */
export function fill(text, args, tag) {
  if (!args || !text.includes('{')) return text;
  return text.replace(PLACEHOLDER, (m, name) => {
    if (!Object.prototype.hasOwnProperty.call(args, name)) return m;
    const v = args[name];
    if (typeof v === 'number') return numberFormat(tag).format(v);
    return String(v);
  });
}

/**
 * pick returns the text of a message for args: the message itself, or the
 * plural form for args.count in the locale (falling back to "other").
 */
export function pick(message, args, tag) {
  if (typeof message === 'string') return message;
  const n = args && typeof args.count === 'number' ? args.count : NaN;
  const category = Number.isFinite(n) ? new Intl.PluralRules(tag).select(n) : 'other';
  return message[category] ?? message.other ?? '';
}

/**
 * I18n holds the page's language and catalogs. Its collaborators are
 * injected so tests can run it without a browser; the page uses the
 * shared instance `i18n`.
 */
export class I18n {
  constructor({ fetch: fetchFn, storage, languages, doc } = {}) {
    this.fetch = fetchFn || ((...a) => globalThis.fetch(...a));
    this.storage = storage;
    this.languages = languages;
    this.doc = doc;
    this.lang = DEFAULT_LANG;
    this.participant = '';
    this.catalogs = new Map();
    this.listeners = new Set();
    // maySwitch(lang) is asked before the picker switches to lang: a page
    // that would lose something (a console reloads) may ask the reader.
    this.maySwitch = null;
  }

  /** tag is the BCP 47 tag of the current language (pt-BR for pt). */
  get tag() { return langOf(this.lang).tag; }

  /**
   * start chooses the language (saved choice of this participant, else the
   * browser's, else English), loads its catalog and English, and sets
   * <html lang>. participant names who reads: their choice is kept apart
   * from other people's on a shared computer.
   */
  async start({ participant = '' } = {}) {
    this.participant = participant;
    const saved = this.saved();
    const lang = saved || matchLanguage(this.languages ?? globalThis.navigator?.languages);
    await this.use(lang);
    if (saved) this.remember(saved);
    return this.lang;
  }

  /**
   * saved returns the participant's saved language, else the choice made
   * on a page without a participant (the join page of this browser), or ''.
   */
  saved() {
    try {
      for (const key of new Set([this.storageKey(), STORAGE_KEY])) {
        const v = this.store()?.getItem(key);
        if (langOf(v)) return v;
      }
      return '';
    } catch {
      return ''; // storage disabled: the browser's languages decide
    }
  }

  /**
   * identify names the reader once the page knows who it is (after the
   * session loads) and switches to their saved language if they have one.
   */
  async identify(participant) {
    this.participant = participant;
    const saved = this.saved();
    if (saved && saved !== this.lang) await this.use(saved);
    if (saved) this.remember(saved);
    return this.lang;
  }

  storageKey() { return this.participant ? `${STORAGE_KEY}:${this.participant}` : STORAGE_KEY; }

  store() { return this.storage ?? globalThis.localStorage; }

  /**
   * setLanguage switches to lang, saves it as the participant's choice and
   * tells the listeners (onChange) so the page re-renders.
   */
  async setLanguage(lang) {
    if (!langOf(lang)) throw new Error(`unsupported language ${lang}`);
    try { this.store()?.setItem(this.storageKey(), lang); } catch { /* not saved: still switch */ }
    this.remember(lang);
    await this.use(lang);
    for (const fn of this.listeners) fn(this.lang);
  }

  /**
   * remember tells the server the language this browser's reader chose (the
   * cmesim_lang cookie), so that pages arrive with their title and lang in
   * it from the first paint.
   */
  remember(lang) {
    const doc = this.doc ?? globalThis.document;
    if (!doc) return;
    const secure = globalThis.location?.protocol === 'https:' ? '; secure' : '';
    try { doc.cookie = `${LANG_COOKIE}=${lang}; path=/; max-age=31536000; samesite=lax${secure}`; } catch { /* no cookies: Accept-Language decides */ }
  }

  /** use loads lang's catalog (and English, the fallback) and applies it. */
  async use(lang) {
    await Promise.all([this.load(DEFAULT_LANG), this.load(lang)]);
    this.lang = lang;
    const root = (this.doc ?? globalThis.document)?.documentElement;
    if (root) root.lang = this.tag;
  }

  /** load fetches a catalog once. */
  async load(lang) {
    if (this.catalogs.has(lang)) return this.catalogs.get(lang);
    const resp = await this.fetch(`/i18n/${lang}.json`, { headers: { Accept: 'application/json' } });
    if (!resp.ok) throw new Error(`catalog ${lang}: HTTP ${resp.status}`);
    const catalog = await resp.json();
    this.catalogs.set(lang, catalog);
    return catalog;
  }

  /** onChange registers fn(lang) to run after the language changes; it
   * returns a function that unregisters it. */
  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** has reports whether key has a message in the current language or
   * English. */
  has(key) {
    return key in (this.catalogs.get(this.lang) || {}) || key in (this.catalogs.get(DEFAULT_LANG) || {});
  }

  /** t returns the message key with args filled in (see the module doc). */
  t(key, args) {
    let message = this.catalogs.get(this.lang)?.[key];
    let tag = this.tag;
    if (message === undefined) {
      message = this.catalogs.get(DEFAULT_LANG)?.[key];
      tag = 'en';
    }
    if (message === undefined) return key;
    return fill(pick(message, args, tag), args, tag);
  }

  /** errorText says a server error code (error.code of the HTTP API and
   * WebSocket replies) in the reader's language. */
  errorText(code) {
    return this.t(this.has(`error.${code}`) ? `error.${code}` : 'error.unknown', { code: String(code) });
  }

  /** formatNumber formats a number for the locale ("12,5" in Spanish). */
  formatNumber(n, options) { return new Intl.NumberFormat(this.tag, options).format(n); }

  /** formatDate formats the date of a Date (or ms/ISO string) for the
   * locale; options default to the medium date style. */
  formatDate(d, options = { dateStyle: 'medium' }) { return new Intl.DateTimeFormat(this.tag, options).format(toDate(d)); }

  /** formatTime formats the time of day for the locale (short style). */
  formatTime(d, options = { timeStyle: 'short' }) { return new Intl.DateTimeFormat(this.tag, options).format(toDate(d)); }

  /** formatDateTime formats a date and time for the locale. */
  formatDateTime(d, options = { dateStyle: 'medium', timeStyle: 'short' }) {
    return new Intl.DateTimeFormat(this.tag, options).format(toDate(d));
  }

  /**
   * languagePicker builds a <select> of the four languages, each named in
   * its own language (and marked with its lang attribute); choosing one
   * saves it and re-renders the page through the onChange listeners.
   */
  languagePicker({ id = 'language-picker' } = {}) {
    const doc = this.doc ?? globalThis.document;
    const select = doc.createElement('select');
    select.id = id;
    select.className = 'language-picker';
    select.setAttribute('aria-label', this.t('ui.language'));
    select.dataset.lang = this.lang;
    for (const l of LANGS) {
      const opt = doc.createElement('option');
      opt.value = l.code;
      opt.setAttribute('lang', l.tag);
      opt.textContent = l.name;
      opt.selected = l.code === this.lang;
      select.appendChild(opt);
    }
    select.value = this.lang;
    select.addEventListener('change', async () => {
      const chosen = select.value;
      const hadFocus = doc.activeElement === select;
      select.disabled = true;
      try {
        if (this.maySwitch && !(await this.maySwitch(chosen))) return;
        await this.setLanguage(chosen);
      } finally {
        select.disabled = false;
        // Disabled, it could not take the focus back from a dialog maySwitch opened.
        if (hadFocus && doc.activeElement !== select) select.focus();
        select.value = this.lang;
        select.dataset.lang = this.lang;
        select.setAttribute('aria-label', this.t('ui.language'));
      }
    });
    return select;
  }
}

/**
 * translatePage applies the catalog to a page's static text: each element's
 * data-i18n key sets its text; data-i18n-attr ("aria-label=ui.x;title=ui.y")
 * sets attributes; <html data-i18n-title> sets the document title
 * ("… — cmesim").
 */
export function translatePage(doc = globalThis.document, tr = t) {
  for (const el of doc.querySelectorAll('[data-i18n]')) el.textContent = tr(el.dataset.i18n);
  for (const el of doc.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split('=').map((x) => x.trim());
      if (attr && key) el.setAttribute(attr, tr(key));
    }
  }
  const title = doc.documentElement.dataset.i18nTitle;
  if (title) doc.title = `${tr(title)} — cmesim`;
}

/**
 * mountPicker puts the language picker in the page header (.topbar-right,
 * else .topbar), before anything else there.
 */
export function mountPicker(doc = globalThis.document) {
  const host = doc.querySelector('.topbar-right') || doc.querySelector('.topbar');
  if (!host || doc.getElementById('language-picker')) return null;
  const picker = i18n.languagePicker();
  host.prepend(picker);
  return picker;
}

/**
 * startPage chooses the page's language, translates its static text and
 * mounts the picker; onSwitch runs after the reader picks another
 * language (the live consoles reload, other pages re-translate), and
 * maySwitch, when given, is asked first (see I18n.maySwitch).
 */
export async function startPage({ participant = '', onSwitch, maySwitch = null } = {}) {
  try {
    await i18n.start({ participant });
  } catch (err) {
    console.error(err); // no catalog: the page keeps its English text
    return i18n.lang;
  }
  translatePage();
  i18n.maySwitch = maySwitch;
  mountPicker();
  i18n.onChange(onSwitch || (() => translatePage()));
  return i18n.lang;
}

/**
 * contentLang sets el's lang attribute when its text is in another
 * language than the page (tag is a code or BCP 47 tag), and removes it
 * otherwise; it returns el.
 */
export function contentLang(el, code) {
  const l = langOf(code);
  const tag = l ? l.tag : code;
  if (tag && tag !== i18n.tag) el.setAttribute('lang', tag); else el.removeAttribute('lang');
  return el;
}

function toDate(d) {
  return d instanceof Date ? d : new Date(d);
}

/** i18n is the page's shared instance. */
export const i18n = new I18n();

/** t is i18n.t, for brevity in the consoles. */
export const t = (key, args) => i18n.t(key, args);
