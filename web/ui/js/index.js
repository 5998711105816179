// Landing page: join an exercise with a code (and a display name for
// trainees). ?code=… prefills the code and tries to join at once; if the
// server answers that a name is needed, the name field is focused.
import { $, replace, h } from './dom.js';
import { api, ApiError } from './api.js';
import { t, startPage } from './i18n.js';
import { errorMessage } from './page.js';

const form = $('#join-form');
const code = $('#join-code');
const name = $('#join-name');
const submit = $('#join-submit');
const errors = $('#errors');

function showMessage(text, kind = 'error') {
  replace(errors, h('div', { class: ['alert', `alert-${kind}`] }, h('span', { class: 'alert-text' }, text)));
}

function normaliseCode(s) {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

async function join({ auto = false } = {}) {
  const c = normaliseCode(code.value);
  if (!c) {
    showMessage(t('ui.join.need_code'));
    code.focus();
    return;
  }
  const body = { code: c };
  const n = name.value.trim();
  if (n) body.name = n;
  submit.disabled = true;
  submit.setAttribute('aria-busy', 'true');
  submit.textContent = t('ui.join.joining');
  try {
    const res = await api('/api/join', { method: 'POST', body });
    if (n) try { localStorage.setItem('cmesim:name', n); } catch { /* ignore */ }
    location.href = res.page || '/';
    return;
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && !n) {
      // A team code: the server needs a display name.
      document.body.classList.add('needs-name');
      showMessage(auto ? t('ui.join.team_code') : t('ui.join.need_name'), auto ? 'info' : 'error');
      name.focus();
    } else if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
      showMessage(t('ui.join.bad_code'));
      code.focus();
    } else {
      showMessage(t('ui.join.failed', { error: errorMessage(err) }));
    }
  } finally {
    submit.disabled = false;
    submit.removeAttribute('aria-busy');
    submit.textContent = t('ui.join.submit');
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  join();
});

// The language first, so that messages of an automatic join read in it.
await startPage();

// The name last used here, unless one was typed while the page loaded.
try { if (!name.value) name.value = localStorage.getItem('cmesim:name') || ''; } catch { /* ignore */ }
const params = new URLSearchParams(location.search);
const pre = params.get('code');
if (pre) {
  code.value = pre;
  // Only auto-join without a name: the server tells whether the code needs one.
  const saved = name.value;
  name.value = '';
  join({ auto: true }).finally(() => { if (!name.value) name.value = saved; });
}
