// Admin page: log in with the admin key, pick a library scenario or upload
// one, create an exercise, hand out the codes.
import { $, h, option, replace, copyText } from './dom.js';
import { api, ApiError } from './api.js';
import { fmtDuration, fmtT, fmtDateTime, cap } from './format.js';
import { fillCodes } from './codes.js';

const loginSection = $('#login');
const appSection = $('#admin-app');
const errors = $('#errors');

function message(text, kind = 'error', extra = null) {
  replace(errors, h('div', { class: ['alert', `alert-${kind}`] }, h('span', { class: 'alert-text' }, text), extra));
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
    message(`Could not load the scenario library: ${err.message}`);
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
  if (!key) { message('Enter the admin key.'); return; }
  btn.disabled = true;
  try {
    await api('/api/admin/login', { method: 'POST', body: { key } });
    $('#admin-key').value = '';
    clearMessage();
    await load();
  } catch (err) {
    message(err.status === 401 || err.status === 403 ? 'That key is not right.' : err.message);
    $('#admin-key').focus();
  } finally {
    btn.disabled = false;
  }
});

/* ---------- library ---------- */

function renderLibrary() {
  const sel = $('#scenario-select');
  replace(sel, (library || []).map((s) => option(s.name, s.title ? `${s.title} (${s.name})` : s.name)));
  const tbody = $('#library-table tbody');
  replace(tbody, (library || []).map((s) => {
    const pick = h('button', { type: 'button', class: 'btn btn-small', dataset: { scenario: s.name } }, 'Choose');
    pick.addEventListener('click', () => {
      sel.value = s.name;
      setSource('library');
      sel.dispatchEvent(new Event('change'));
      sel.focus();
    });
    return h('tr', { dataset: { scenario: s.name } },
      h('td', null, h('strong', null, s.title || s.name), h('div', { class: 'muted small' }, s.name)),
      h('td', { class: 'num' }, String(Array.isArray(s.teams) ? s.teams.length : (s.teams ?? ''))),
      h('td', { class: 'num' }, String(s.injects ?? '')),
      h('td', null, fmtDuration(s.duration)),
      h('td', null, pick));
  }));
  $('#library-empty').hidden = (library || []).length > 0;
  sel.addEventListener('change', () => setSource('library'));
}

function setSource(src) {
  for (const r of document.querySelectorAll('input[name=source]')) r.checked = r.value === src;
  $('#source-library').classList.toggle('chosen', src === 'library');
  $('#source-yaml').classList.toggle('chosen', src === 'yaml');
}

$('#scenario-file').addEventListener('change', async (e) => {
  const f = e.target.files && e.target.files[0];
  if (!f) return;
  if (f.size > 2 * 1024 * 1024) { message('That file is too large for a scenario (over 2 MiB).'); return; }
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
    if (!y.trim()) { message('Paste a scenario or choose a file first.'); $('#scenario-yaml').focus(); return; }
    body.yaml = y;
  } else {
    const s = $('#scenario-select').value;
    if (!s) { message('Choose a scenario from the library.'); return; }
    body.scenario = s;
  }
  const seed = $('#seed').value.trim();
  if (seed) {
    if (!/^\d+$/.test(seed)) { message('The seed must be a whole number.'); $('#seed').focus(); return; }
    body.seed = Number(seed);
  }
  const speed = Number($('#create-speed').value || 1);
  if (!(speed > 0 && speed <= 10000)) { message('The speed must be between 0 and 10000.'); $('#create-speed').focus(); return; }
  body.speed = speed;
  const humans = $('#humans').value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  if (humans.length) body.humans = humans;

  const btn = $('#create-exercise');
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  btn.textContent = 'Creating…';
  try {
    const res = await api('/api/exercises', { method: 'POST', body });
    showCodes(res);
    loadExercises();
  } catch (err) {
    if (err.problems && err.problems.length) {
      message('The scenario has problems:', 'error',
        h('ul', { id: 'problems', class: 'problems' }, err.problems.map((p) => h('li', null, h('code', null, p)))));
    } else if (err.status === 401) {
      message('Your admin session has ended; log in again.');
      appSection.hidden = true;
      loginSection.hidden = false;
    } else {
      message(`Could not create the exercise: ${err.message}`);
    }
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    btn.textContent = 'Create exercise';
  }
});

function showCodes(res) {
  const c = res.codes || {};
  fillCodes($('#codes'), res.id, c);
  $('#created-title').textContent = `${res.title || 'Exercise'} (${res.id})`;
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
    message(`Could not open the facilitator console: ${err.message}`);
    btn.disabled = false;
  }
});

$('#copy-all').addEventListener('click', async () => {
  const lines = Array.from(document.querySelectorAll('#codes .code-row'), (li) => `${li.querySelector('.code-label').textContent}: ${li.querySelector('.code-value').textContent} — ${li.querySelector('.code-link').textContent}`);
  const ok = await copyText(`${$('#created-title').textContent}\n${lines.join('\n')}`);
  $('#copy-all').textContent = ok ? 'Copied' : 'Copy failed';
  setTimeout(() => { $('#copy-all').textContent = 'Copy all'; }, 1500);
});

/* ---------- existing exercises ---------- */

// damageNote explains why a stored exercise could not be brought back, and
// how to recover what remains of it.
function damageNote(damage) {
  if (!damage) return null;
  return h('div', { class: 'alert damage small' },
    h('div', null, `Damaged: its log reads back intact up to event ${damage.last_good_seq}. `
      + 'It stays in the store untouched; "cmesim export --salvage" recovers what remains.'),
    h('code', { class: 'small' }, damage.reason));
}

async function loadExercises() {
  const tbody = $('#exercises-table tbody');
  let list;
  try {
    list = await api('/api/exercises');
  } catch (err) {
    replace(tbody, h('tr', null, h('td', { colspan: '5', class: 'muted' }, `Could not load: ${err.message}`)));
    return;
  }
  list = (list || []).slice().sort((a, b) => String(b.created || '').localeCompare(String(a.created || '')));
  replace(tbody, list.length ? list.flatMap(exerciseRows) : h('tr', null, h('td', { colspan: '5', class: 'muted' }, 'No exercises yet.')));
}

/** exerciseRows is an exercise's row in the list and, below it, its join codes (shown on demand). */
function exerciseRows(x) {
  const rowId = `codes-of-${x.id}`;
  const list = h('ul', { class: 'codes' });
  fillCodes(list, x.id, x.codes);
  const codesRow = h('tr', { class: 'codes-row', id: rowId, dataset: { codesFor: x.id }, hidden: true },
    h('td', { colspan: '5' }, list));
  const toggle = h('button', { type: 'button', class: 'btn btn-small btn-codes', 'aria-expanded': 'false', 'aria-controls': rowId, 'aria-label': `Codes: ${x.title || x.id}` }, 'Codes');
  toggle.addEventListener('click', () => {
    codesRow.hidden = !codesRow.hidden;
    toggle.setAttribute('aria-expanded', String(!codesRow.hidden));
  });
  return [h('tr', { dataset: { exercise: x.id } },
    h('td', null, h('strong', null, x.title || ''), h('div', { class: 'muted small' }, x.id), damageNote(x.damage)),
    h('td', null, h('span', { class: `status status-${x.status}` }, cap(x.status || ''))),
    h('td', { class: 'num mono clock-cell' }, typeof x.now === 'number' ? fmtT(x.now) : '—'),
    h('td', null, fmtDateTime(x.created)),
    h('td', null, toggle)),
  codesRow];
}

$('#refresh-exercises').addEventListener('click', loadExercises);

load();
