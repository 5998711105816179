// The admin page's library browser: filters by country, sector, level and
// language, the library table, and a staff preview of a scenario
// (description, teams with their countries and local start, objectives,
// the inject timeline) before an exercise is created of it.
import { $, h, option, replace } from './dom.js';
import { api } from './api.js';
import { fmtDuration, fmtTShort } from './format.js';
import { t, i18n, contentLang } from './i18n.js';
import { filterLibrary, filterOptions, timelineRows, FILTER_KEYS } from './libraryfilter.js';
import { Directory } from './model.js';

/** regionName names a country code in the reader's language, with the code when Intl cannot. */
function regionName(code) {
  try {
    return new Intl.DisplayNames([i18n.tag], { type: 'region' }).of(code.toUpperCase()) || code.toUpperCase();
  } catch {
    return code.toUpperCase();
  }
}

/** languageName names a language code in the reader's language. */
function languageName(code) {
  try {
    return new Intl.DisplayNames([i18n.tag], { type: 'language' }).of(code) || code;
  } catch {
    return code;
  }
}

const LABELS = {
  country: regionName,
  sector: (v) => t(`library.sector.${v}`),
  level: (v) => t(`library.level.${v}`),
  language: languageName,
};

/** tagText says a scenario's level, difficulty and sectors in the reader's language. */
function tagText(f) {
  const parts = [];
  if (f.level) parts.push(t(`library.level.${f.level}`));
  if (f.difficulty) parts.push(t(`library.difficulty.${f.difficulty}`));
  return parts.join(' · ');
}

/**
 * Library mounts the browser on the admin page: filters in #library-filters,
 * rows in #library-table, a preview in #library-preview. onChoose(name) is
 * called when the admin chooses a scenario to create an exercise of.
 */
export class Library {
  constructor(entries, { onChoose }) {
    this.entries = entries || [];
    this.onChoose = onChoose;
    this.filter = { country: '', sector: '', level: '', language: '' };
    this.renderFilters();
    this.renderRows();
  }

  renderFilters() {
    const opts = filterOptions(this.entries);
    const box = $('#library-filters');
    replace(box, Object.keys(FILTER_KEYS).map((name) => {
      const id = `library-filter-${name}`;
      const sel = h('select', { id, name, dataset: { filter: name } },
        option('', t('library.any')),
        opts[name].map((v) => option(v, LABELS[name](v))));
      sel.addEventListener('change', () => {
        this.filter[name] = sel.value;
        this.renderRows();
      });
      return h('div', { class: 'field' }, h('label', { for: id, class: 'field-label' }, t(`library.filter.${name}`)), sel);
    }));
  }

  renderRows() {
    const shown = filterLibrary(this.entries, this.filter);
    const tbody = $('#library-table tbody');
    replace(tbody, shown.map((s) => this.row(s)));
    const empty = $('#library-empty');
    empty.hidden = shown.length > 0;
    empty.textContent = this.entries.length ? t('library.no_match') : t('ui.admin.library_empty');
    $('#library-count').textContent = t('library.count', { shown: shown.length, total: this.entries.length });
  }

  row(s) {
    const f = s.facts || {};
    const title = s.title || s.name;
    const pick = h('button', { type: 'button', class: 'btn btn-small', dataset: { scenario: s.name }, 'aria-label': t('ui.admin.choose_label', { scenario: title }) }, t('ui.admin.choose'));
    pick.addEventListener('click', () => this.onChoose(s.name));
    const look = h('button', { type: 'button', class: 'btn btn-small btn-preview', dataset: { preview: s.name }, 'aria-label': t('library.preview_label', { scenario: title }) }, t('library.preview'));
    look.addEventListener('click', () => this.preview(s.name, look));
    const sectors = (f.sectors || []).map((v) => t(`library.sector.${v}`)).join(', ');
    return h('tr', { dataset: { scenario: s.name } },
      h('td', null, contentLang(h('strong', null, title), s.title_lang), h('div', { class: 'muted small' }, s.name),
        h('div', { class: 'small lib-tags' }, [tagText(f), sectors].filter(Boolean).join(' · ')),
        h('div', { class: 'muted small lib-where' }, `${(f.countries || []).map((c) => c.toUpperCase()).join(' ')} · ${(f.languages || []).join(' ')}`)),
      h('td', { class: 'num' }, String(Array.isArray(s.teams) ? s.teams.length : '')),
      h('td', { class: 'num' }, String(s.injects ?? '')),
      h('td', null, fmtDuration(s.duration)),
      h('td', { class: 'actions' }, h('div', { class: 'lib-actions' }, look, pick)));
  }

  async preview(name, btn) {
    btn.disabled = true;
    try {
      const p = await api(`/api/library/${encodeURIComponent(name)}/preview?lang=${encodeURIComponent(i18n.lang)}`);
      const box = $('#library-preview');
      renderPreview(box, p, { onChoose: () => this.onChoose(name) });
      box.hidden = false;
      box.scrollIntoView({ behavior: 'smooth', block: 'start' });
      $('#library-preview-h').focus({ preventScroll: true });
    } finally {
      btn.disabled = false;
    }
  }
}

/**
 * renderPreview fills box with a scenario's preview: what it is about, the
 * teams with their countries, time zones and local start, the objectives
 * and the timeline of injects (a staff-only view). With onChoose, a button
 * chooses the scenario.
 */
export function renderPreview(box, p, { onChoose, headingId = 'library-preview-h', action } = {}) {
  const f = p.facts || {};
  const head = h('div', { class: 'panel-head' },
    h('h2', { id: headingId, tabindex: '-1' }, t('library.preview_h', { title: p.title })),
    onChoose ? (() => {
      const b = h('button', { type: 'button', class: 'btn btn-primary', id: `${headingId}-choose` }, action || t('ui.admin.choose'));
      b.addEventListener('click', onChoose);
      return b;
    })() : null);
  const facts = h('p', { class: 'muted' }, [
    t('library.facts', { teams: (p.teams || []).length, injects: (p.timeline || []).length, duration: fmtDuration(p.duration) }),
    tagText(f) ? ` · ${tagText(f)}` : '',
    (f.sectors || []).length ? ` · ${(f.sectors || []).map((v) => t(`library.sector.${v}`)).join(', ')}` : '',
  ]);
  const teams = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('library.teams_h') },
    h('table', { class: 'grid compact preview-teams' },
      h('caption', { class: 'sr-only' }, t('library.teams_h')),
      h('thead', null, h('tr', null, ['team', 'country', 'timezone', 'local_start'].map((k) => h('th', { scope: 'col' }, t(`library.col.${k}`))))),
      h('tbody', null, (p.teams || []).map((tm) => h('tr', { dataset: { team: tm.id } },
        h('td', null, tm.name), h('td', null, tm.country_name), h('td', { class: 'mono small' }, tm.timezone),
        h('td', null, tm.start ? localStart(tm.start, tm.timezone) : '—'))))));
  // The scenario's texts, where it is not translated into the page's language, say which language they are in.
  const scenarioText = (el) => (p.text_lang ? contentLang(el, p.text_lang) : el);
  const objectives = h('ul', { class: 'preview-objectives' }, (p.objectives || []).map((o) => h('li', null, h('strong', null, `${o.id} `), scenarioText(h('span', null, o.text)))));
  const dir = new Directory({ teams: p.teams || [] });
  const timeline = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('library.timeline_h') },
    h('table', { class: 'grid compact preview-timeline' },
      h('caption', { class: 'sr-only' }, t('library.timeline_h')),
      h('thead', null, h('tr', null, ['when', 'inject', 'to'].map((k) => h('th', { scope: 'col' }, t(`library.col.${k}`))))),
      h('tbody', null, timelineRows(p).map((in_) => h('tr', { dataset: { inject: in_.id } },
        h('td', { class: 'mono' }, in_.release === 'timed' ? fmtTShort(in_.at || 0) : t(`library.release.${in_.release}`)),
        h('td', null, h('strong', null, `${in_.id} `), scenarioText(h('span', null, in_.title))),
        h('td', { class: 'small' }, (in_.to || []).map((x) => dir.anyName(x)).join(', ')))))));
  replace(box, head, facts,
    p.description ? scenarioText(h('p', { class: 'preview-description' }, p.description)) : null,
    h('h3', null, t('library.teams_h')), teams,
    h('h3', null, t('library.objectives_h')), objectives,
    h('h3', null, t('library.timeline_h')), timeline);
}

/** localStart formats a team's T+0 in its own time zone. */
function localStart(iso, zone) {
  try {
    return new Intl.DateTimeFormat(i18n.tag, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone, timeZoneName: 'short' }).format(new Date(iso));
  } catch {
    return iso;
  }
}
