// Tests of js/i18n.js with the real catalogs: run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { I18n, LANGS, matchLanguage, fill, pick, translatePage } from '../js/i18n.js';

const catalogURL = (lang) => new URL(`../../../internal/i18n/catalog/${lang}.json`, import.meta.url);
const catalogs = Object.fromEntries(LANGS.map((l) => [l.code, JSON.parse(readFileSync(catalogURL(l.code), 'utf8'))]));

// fakeFetch serves the catalogs as GET /i18n/{lang}.json does, counting
// requests.
function fakeFetch() {
  const calls = [];
  const fn = async (url) => {
    calls.push(url);
    const m = /^\/i18n\/([a-z]+)\.json$/.exec(url);
    if (!m || !catalogs[m[1]]) return { ok: false, status: 404, json: async () => ({}) };
    return { ok: true, status: 200, json: async () => structuredClone(catalogs[m[1]]) };
  };
  fn.calls = calls;
  return fn;
}

function fakeStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)), data };
}

// fakeDoc is the little of the DOM the picker uses.
function fakeDoc() {
  class El {
    constructor(tag) { this.tagName = tag.toUpperCase(); this.children = []; this.attrs = {}; this.dataset = {}; this.handlers = {}; this.value = ''; }
    setAttribute(k, v) { this.attrs[k] = String(v); }
    getAttribute(k) { return this.attrs[k]; }
    appendChild(c) { this.children.push(c); return c; }
    addEventListener(ev, fn) { (this.handlers[ev] ||= []).push(fn); }
    async dispatch(ev) { for (const fn of this.handlers[ev] || []) await fn(); }
  }
  return { documentElement: { lang: '' }, createElement: (tag) => new El(tag) };
}

const newI18n = (opts = {}) => new I18n({ fetch: fakeFetch(), storage: fakeStorage(), languages: [], doc: fakeDoc(), ...opts });

test('the picker names each language as its catalog does', () => {
  for (const l of LANGS) assert.equal(catalogs[l.code]['lang.name'], l.name, l.code);
  assert.deepEqual(LANGS.map((l) => l.tag), ['en', 'es', 'pt-BR', 'fr']);
});

test('the catalogs have the same keys and placeholders', () => {
  const names = (m) => [...new Set((typeof m === 'string' ? [m] : Object.values(m)).flatMap((s) => [...s.matchAll(/\{([a-z][a-z0-9_]*)\}/g)].map((x) => x[1])))].sort();
  for (const l of LANGS) {
    assert.deepEqual(Object.keys(catalogs[l.code]).sort(), Object.keys(catalogs.en).sort(), l.code);
    for (const [key, m] of Object.entries(catalogs.en)) assert.deepEqual(names(catalogs[l.code][key]), names(m), `${l.code} ${key}`);
  }
});

test('every counted message has a text for any count in every language', () => {
  // Intl may know categories the Go rules do not (French "many" for a
  // million): the form falls back to "other".
  for (const l of LANGS) {
    for (const [key, m] of Object.entries(catalogs[l.code])) {
      if (typeof m === 'string') continue;
      for (const n of [0, 1, 2, 5, 21, 1000000, 1.5]) {
        const s = pick(m, { count: n }, l.tag);
        assert.ok(s && s.trim(), `${l.code} ${key} count=${n}`);
      }
    }
  }
});

test('matchLanguage takes the first supported language subtag', () => {
  assert.equal(matchLanguage(['es-CO', 'en']), 'es');
  assert.equal(matchLanguage(['de-DE', 'pt-PT', 'en']), 'pt');
  assert.equal(matchLanguage(['fr_HT']), 'fr');
  assert.equal(matchLanguage(['de', 'it']), 'en');
  assert.equal(matchLanguage(undefined), 'en');
});

test('start: the saved choice, else the browser languages, else English', async () => {
  const doc = fakeDoc();
  const a = new I18n({ fetch: fakeFetch(), storage: fakeStorage(), languages: ['pt-BR', 'en'], doc });
  assert.equal(await a.start({ participant: 'ex1:co-csirt:Ana' }), 'pt');
  assert.equal(doc.documentElement.lang, 'pt-BR');

  const storage = fakeStorage({ 'cmesim.lang:ex1:co-csirt:Ana': 'fr' });
  const b = new I18n({ fetch: fakeFetch(), storage, languages: ['es'], doc: fakeDoc() });
  assert.equal(await b.start({ participant: 'ex1:co-csirt:Ana' }), 'fr');
  const other = new I18n({ fetch: fakeFetch(), storage, languages: ['es'], doc: fakeDoc() });
  assert.equal(await other.start({ participant: 'ex1:co-csirt:Luis' }), 'es', 'another participant keeps their own language');

  const broken = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('denied'); } };
  const c = new I18n({ fetch: fakeFetch(), storage: broken, languages: ['de'], doc: fakeDoc() });
  assert.equal(await c.start(), 'en');
  await c.setLanguage('es');
  assert.equal(c.lang, 'es', 'a storage error does not stop a switch');
});

test('t fills placeholders and picks plural forms', async () => {
  const x = newI18n();
  await x.use('es');
  assert.equal(x.t('report.finding.tlp_item', { inject: 'I03', tlp: 'GREEN', limit: 'AMBER' }), 'I03 como TLP:GREEN cuando era TLP:AMBER');
  assert.equal(x.t('report.count.injects', { count: 1 }), '1 inyección');
  assert.equal(x.t('report.count.injects', { count: 3 }), '3 inyecciones');
  assert.equal(x.t('report.evidence.points', { points: 12.5, max: 20, percent: '63 %', outcomes: '…' }), '12,5 de 20 puntos (63 %): ….');
  await x.use('fr');
  assert.equal(x.t('report.count.injects', { count: 0 }), '0 stimulus');
  assert.equal(x.t('report.count.injects', { count: 2 }), '2 stimuli');
  await x.use('pt');
  assert.equal(x.t('report.count.injects', { count: 0 }), '0 injeção');
  await x.use('en');
  assert.equal(x.t('report.count.injects', { count: 0 }), '0 injects');
  assert.equal(x.t('report.format.more', { list: 'a, b' }), 'a, b and {count} more', 'a missing argument stays visible');
});

test('t falls back to English, then to the key', async () => {
  const x = newI18n();
  await x.use('es');
  delete x.catalogs.get('es')['report.title'];
  assert.equal(x.t('report.title'), catalogs.en['report.title']);
  assert.equal(x.t('no.such.key'), 'no.such.key');
  assert.equal(fill('{a} and {b}', { a: 1 }, 'en'), '1 and {b}');
});

test('catalogs load once', async () => {
  const fetch = fakeFetch();
  const x = newI18n({ fetch });
  await x.use('es');
  await x.use('en');
  await x.use('es');
  assert.deepEqual(fetch.calls.sort(), ['/i18n/en.json', '/i18n/es.json']);
  await assert.rejects(x.setLanguage('de'));
});

test('server error codes read in the reader language', async () => {
  const x = newI18n();
  await x.use('pt');
  assert.equal(x.errorText('not_found'), catalogs.pt['error.not_found']);
  assert.equal(x.errorText('too_many_requests'), catalogs.pt['error.too_many_requests']);
  assert.equal(x.errorText('weird'), 'Ocorreu um erro (código weird).');
  // A code the catalog names "unknown" is said with its code, not a placeholder.
  assert.equal(x.errorText('unknown'), 'Ocorreu um erro (código unknown).');
});

test('dates, times and numbers follow the locale', async () => {
  const x = newI18n();
  const d = new Date(Date.UTC(2026, 4, 12, 13, 30));
  const utc = { timeZone: 'UTC' };
  const want = {
    en: ['May 12, 2026', '1:30 PM', '1,234.5'],
    es: ['12 de mayo de 2026', '13:30', '1234,5'],
    pt: ['12 de maio de 2026', '13:30', '1.234,5'],
    fr: ['12 mai 2026', '13:30', '1\u202f234,5'],
  };
  for (const [lang, [date, time, num]] of Object.entries(want)) {
    await x.use(lang);
    assert.equal(x.formatDate(d, { dateStyle: 'long', ...utc }), date, lang);
    assert.equal(x.formatTime(d, { timeStyle: 'short', ...utc }).replace('\u202f', ' '), time, lang);
    assert.equal(x.formatNumber(1234.5), num, lang);
  }
});

test('languagePicker lists the languages in their own names, saves and re-renders', async () => {
  const doc = fakeDoc();
  const storage = fakeStorage();
  const x = new I18n({ fetch: fakeFetch(), storage, languages: ['es-MX'], doc });
  await x.start({ participant: 'ex1:pe-csirt:Rosa' });
  const select = x.languagePicker();
  assert.equal(select.tagName, 'SELECT');
  assert.deepEqual(select.children.map((o) => [o.value, o.textContent, o.attrs.lang]),
    [['en', 'English', 'en'], ['es', 'Español', 'es'], ['pt', 'Português (Brasil)', 'pt-BR'], ['fr', 'Français', 'fr']]);
  assert.equal(select.value, 'es');
  assert.equal(select.attrs['aria-label'], 'Idioma');

  const rendered = [];
  x.onChange((lang) => rendered.push([lang, x.t('report.section.summary')]));
  select.value = 'fr';
  await select.dispatch('change');
  assert.deepEqual(rendered, [['fr', 'Synthèse']]);
  assert.equal(doc.documentElement.lang, 'fr');
  assert.equal(storage.data.get('cmesim.lang:ex1:pe-csirt:Rosa'), 'fr');
  assert.equal(select.attrs['aria-label'], 'Langue');
  assert.equal(select.disabled, false);
});

test('a participant without a choice of their own keeps the one made on the join page', async () => {
  const storage = fakeStorage({ 'cmesim.lang': 'fr' });
  const x = new I18n({ fetch: fakeFetch(), storage, languages: ['es'], doc: fakeDoc() });
  assert.equal(await x.start({ participant: 'ex1:trainee:co-csirt:Ana' }), 'fr');
  await x.setLanguage('pt');
  assert.equal(storage.data.get('cmesim.lang:ex1:trainee:co-csirt:Ana'), 'pt', 'saved for the participant');
  assert.equal(storage.data.get('cmesim.lang'), 'fr', 'the join page choice stays');
  const y = new I18n({ fetch: fakeFetch(), storage, languages: ['es'], doc: fakeDoc() });
  await y.start();
  assert.equal(await y.identify('ex1:trainee:co-csirt:Ana'), 'pt', 'identify switches to the participant choice');
});

test('a chosen or saved language is told to the server in the cmesim_lang cookie', async () => {
  const doc = fakeDoc();
  const x = new I18n({ fetch: fakeFetch(), storage: fakeStorage(), languages: ['es'], doc });
  await x.start();
  assert.equal(doc.cookie, undefined, 'the browser languages alone set no cookie');
  await x.setLanguage('pt');
  assert.match(doc.cookie, /^cmesim_lang=pt; path=\/; max-age=\d+; samesite=lax$/);
  const later = fakeDoc();
  const y = new I18n({ fetch: fakeFetch(), storage: fakeStorage({ 'cmesim.lang': 'fr' }), languages: ['es'], doc: later });
  await y.start();
  assert.match(later.cookie, /^cmesim_lang=fr;/, 'a saved choice is told again');
});

test('translatePage sets text, attributes and the title from data-i18n hooks', async () => {
  const x = newI18n();
  await x.use('es');
  const el = (attrs) => ({ dataset: attrs, textContent: '', attrs: {}, setAttribute(k, v) { this.attrs[k] = v; } });
  const text = el({ i18n: 'ui.fac.start' });
  const attr = el({ i18nAttr: 'aria-label=ui.clock;title=ui.conn.title' });
  const doc = {
    documentElement: { dataset: { i18nTitle: 'ui.join.title' } },
    title: '',
    querySelectorAll: (sel) => (sel === '[data-i18n]' ? [text] : [attr]),
  };
  translatePage(doc, (k, a) => x.t(k, a));
  assert.equal(text.textContent, 'Iniciar');
  assert.deepEqual(attr.attrs, { 'aria-label': 'Reloj del ejercicio', title: 'Conexión con el servidor' });
  assert.equal(doc.title, 'Unirse a un ejercicio — cmesim');
});
