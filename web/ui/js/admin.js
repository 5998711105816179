// Admin page: log in with the admin key, pick a library scenario or upload
// one, create an exercise, hand out the codes.
import { $, h, option, replace, copyText } from './dom.js';
import { api, ApiError } from './api.js';
import { fmtT, fmtDateTime, cap } from './format.js';
import { fillCodes } from './codes.js';
import { t, startPage, contentLang } from './i18n.js';
import { errorMessage, errorDetail } from './page.js';
import { Library } from './library.js';
import { mountImport } from './import.js';
import { fromLocalInput } from './libraryfilter.js';

const loginSection = $('#login');
const appSection = $('#admin-app');
const errors = $('#errors');

function message(text, kind = 'error', extra = null) {
  replace(errors, h('div', { class: ['alert', `alert-${kind}`] }, h('span', { class: 'alert-text' }, text), extra));
}

/** failure says what failed in the reader's language, with the server's own words as a detail for the administrator. */
function failure(key, err) {
  const detail = errorDetail(err);
  message(t(key, { error: errorMessage(err) }), 'error', detail ? h('span', { class: 'alert-detail muted small', lang: 'en' }, ` (${detail})`) : null);
}
function clearMessage() { replace(errors); }

let library = [];

async function load() {
  try {
    library = await api('/api/library');
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      appSection.hidden = true;
      loginSection.hidden = false;
      $('#admin-key').focus();
      return;
    }
    failure('ui.admin.library_failed', err);
    return;
  }
  loginSection.hidden = true;
  appSection.hidden = false;
  renderLibrary();
  loadExercises();
}

/* ---------- login ---------- */

$('#login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const key = $('#admin-key').value;
  const btn = $('#admin-login');
  if (!key) { message(t('ui.admin.need_key')); return; }
  btn.disabled = true;
  try {
    await api('/api/admin/login', { method: 'POST', body: { key } });
    $('#admin-key').value = '';
    clearMessage();
    await load();
  } catch (err) {
    if (err.status === 401 || err.status === 403) message(t('ui.admin.wrong_key')); else failure('ui.admin.login_failed', err);
    $('#admin-key').focus();
  } finally {
    btn.disabled = false;
  }
});

/* ---------- library ---------- */

function renderLibrary() {
  const sel = $('#scenario-select');
  replace(sel, (library || []).map((s) => contentLang(option(s.name, s.title ? `${s.title} (${s.name})` : s.name), s.title_lang)));
  new Library(library, {
    onChoose: (name) => {
      sel.value = name;
      setSource('library');
      sel.dispatchEvent(new Event('change'));
      sel.scrollIntoView({ behavior: 'smooth', block: 'center' });
      sel.focus({ preventScroll: true });
    },
  });
  sel.addEventListener('change', () => setSource('library'));
}

mountImport({
  onUse: (yaml) => {
    $('#scenario-yaml').value = yaml;
    setSource('yaml');
    $('#create-form').requestSubmit();
  },
});

function setSource(src) {
  for (const r of document.querySelectorAll('input[name=source]')) r.checked = r.value === src;
  $('#source-library').classList.toggle('chosen', src === 'library');
  $('#source-yaml').classList.toggle('chosen', src === 'yaml');
}

$('#scenario-file').addEventListener('change', async (e) => {
  const f = e.target.files && e.target.files[0];
  if (!f) return;
  if (f.size > 2 * 1024 * 1024) { message(t('ui.admin.too_large')); return; }
  $('#scenario-yaml').value = await f.text();
  setSource('yaml');
});
$('#scenario-yaml').addEventListener('input', () => setSource($('#scenario-yaml').value.trim() ? 'yaml' : 'library'));
for (const r of document.querySelectorAll('input[name=source]')) r.addEventListener('change', () => setSource(r.value));

/* ---------- create ---------- */

$('#create-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  clearMessage();
  const src = (document.querySelector('input[name=source]:checked') || {}).value || 'library';
  const body = {};
  if (src === 'yaml') {
    const y = $('#scenario-yaml').value;
    if (!y.trim()) { message(t('ui.admin.need_yaml')); $('#scenario-yaml').focus(); return; }
    body.yaml = y;
  } else {
    const s = $('#scenario-select').value;
    if (!s) { message(t('ui.admin.need_scenario')); return; }
    body.scenario = s;
  }
  const seed = $('#seed').value.trim();
  if (seed) {
    if (!/^\d+$/.test(seed)) { message(t('ui.admin.bad_seed')); $('#seed').focus(); return; }
    body.seed = Number(seed);
  }
  const speed = Number($('#create-speed').value || 1);
  if (!(speed > 0 && speed <= 10000)) { message(t('ui.admin.bad_speed')); $('#create-speed').focus(); return; }
  body.speed = speed;
  const humans = $('#humans').value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  if (humans.length) body.humans = humans;
  const startAt = $('#create-start').value;
  if (startAt) {
    const at = fromLocalInput(startAt);
    if (!at || Date.parse(at) <= Date.now()) { message(t('schedule.need_time')); $('#create-start').focus(); return; }
    body.start_at = at;
  }

  const btn = $('#create-exercise');
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  btn.textContent = t('ui.admin.creating');
  try {
    const res = await api('/api/exercises', { method: 'POST', body });
    showCodes(res);
    loadExercises();
  } catch (err) {
    if (err.problems && err.problems.length) {
      // The validator writes its problems in English: marked so, a screen reader says them so.
      message(t('ui.admin.problems'), 'error',
        h('ul', { id: 'problems', class: 'problems', lang: 'en' }, err.problems.map((p) => h('li', null, h('code', null, p)))));
    } else if (err.status === 401) {
      message(t('ui.admin.session_ended'));
      appSection.hidden = true;
      loginSection.hidden = false;
    } else {
      failure('ui.admin.create_failed', err);
    }
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    btn.textContent = t('ui.admin.create');
  }
});

/** teamNameOf names a team of an exercise (as the server lists it) by its name, or its id. */
function teamNameOf(x) {
  return (id) => (x.team_names && x.team_names[id]) || id;
}

function showCodes(res) {
  const c = res.codes || {};
  fillCodes($('#codes'), res.id, c, teamNameOf(res));
  $('#created-title').textContent = `${res.title || t('ui.exercise')} (${res.id})`;
  $('#created').hidden = false;
  const open = $('#open-facilitator');
  open.dataset.code = c.facilitator || '';
  $('#created').scrollIntoView({ behavior: 'smooth', block: 'start' });
  open.focus({ preventScroll: true });
}

$('#open-facilitator').addEventListener('click', async (e) => {
  const btn = e.currentTarget;
  const code = btn.dataset.code;
  if (!code) return;
  btn.disabled = true;
  try {
    const res = await api('/api/join', { method: 'POST', body: { code: code.toUpperCase().replace(/[^A-Z0-9]/g, '') } });
    location.href = res.page || '/facilitator.html';
  } catch (err) {
    failure('ui.admin.open_failed', err);
    btn.disabled = false;
  }
});

$('#copy-all').addEventListener('click', async () => {
  const lines = Array.from(document.querySelectorAll('#codes .code-row'), (li) => `${li.querySelector('.code-label').textContent}: ${li.querySelector('.code-value').textContent} — ${li.querySelector('.code-link').textContent}`);
  const ok = await copyText(`${$('#created-title').textContent}\n${lines.join('\n')}`);
  $('#copy-all').textContent = ok ? t('ui.copied') : t('ui.copy_failed');
  setTimeout(() => { $('#copy-all').textContent = t('ui.admin.copy_all'); }, 1500);
});

/* ---------- existing exercises ---------- */

// damageNote explains why a stored exercise could not be brought back, and
// how to recover what remains of it.
function damageNote(damage) {
  if (!damage) return null;
  return h('div', { class: 'alert damage small' },
    h('div', null, t('ui.admin.damaged', { seq: damage.last_good_seq })),
    h('code', { class: 'small' }, damage.reason));
}

async function loadExercises() {
  const tbody = $('#exercises-table tbody');
  let list;
  try {
    list = await api('/api/exercises');
  } catch (err) {
    replace(tbody, h('tr', null, h('td', { colspan: '5', class: 'muted' }, t('ui.admin.list_failed', { error: errorMessage(err) }))));
    return;
  }
  list = (list || []).slice().sort((a, b) => String(b.created || '').localeCompare(String(a.created || '')));
  replace(tbody, list.length ? list.flatMap(exerciseRows) : h('tr', null, h('td', { colspan: '5', class: 'muted' }, t('ui.admin.no_exercises'))));
}

/** exerciseRows is an exercise's row in the list and, below it, its join codes (shown on demand). */
function exerciseRows(x) {
  const rowId = `codes-of-${x.id}`;
  const list = h('ul', { class: 'codes' });
  fillCodes(list, x.id, x.codes, teamNameOf(x));
  const codesRow = h('tr', { class: 'codes-row', id: rowId, dataset: { codesFor: x.id }, hidden: true },
    h('td', { colspan: '5' }, list));
  const toggle = h('button', { type: 'button', class: 'btn btn-small btn-codes', 'aria-expanded': 'false', 'aria-controls': rowId, 'aria-label': t('ui.admin.codes_label', { exercise: x.title || x.id }) }, t('ui.admin.codes'));
  toggle.addEventListener('click', () => {
    codesRow.hidden = !codesRow.hidden;
    toggle.setAttribute('aria-expanded', String(!codesRow.hidden));
  });
  return [h('tr', { dataset: { exercise: x.id } },
    h('td', null, contentLang(h('strong', null, x.title || ''), x.title_lang), h('div', { class: 'muted small' }, x.id), damageNote(x.damage)),
    h('td', null, h('span', { class: `status status-${x.status}`, dataset: { status: x.status || '' } }, x.status ? cap(t(`ui.status.${x.status}`)) : '')),
    h('td', { class: 'num mono clock-cell' }, typeof x.now === 'number' ? fmtT(x.now) : '—'),
    h('td', null, fmtDateTime(x.created)),
    h('td', null, toggle)),
  codesRow];
}

$('#refresh-exercises').addEventListener('click', loadExercises);

await startPage({ onSwitch: () => location.reload() });
load();
