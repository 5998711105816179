// The admin page's import: an MSEL workbook (.xlsx) or a YAML scenario is
// checked by the validator (problems at their cell or line), previewed,
// and played 1,000 times by simulated teams (the Monte Carlo preview)
// before the admin creates an exercise of it.
import { $, h, replace } from './dom.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { errorMessage } from './page.js';
import { problemCounts, percent, toBase64 } from './libraryfilter.js';
import { renderPreview } from './library.js';

/** MAX_UPLOAD is the largest file the server accepts (web.MaxScenarioUpload). */
const MAX_UPLOAD = 1 << 20;

/** mountImport wires the import section; onUse(yaml) creates the exercise of an imported scenario. */
export function mountImport({ onUse }) {
  const input = $('#import-file');
  const out = $('#import-result');
  let running = null; // the Monte Carlo preview's AbortController

  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    if (running) running.abort();
    if (file.size > MAX_UPLOAD) {
      replace(out, h('p', { class: 'alert alert-error' }, t('library.too_large')));
      return;
    }
    replace(out, h('p', { class: 'muted', 'aria-busy': 'true' }, t('library.importing')));
    let res;
    try {
      const data = toBase64(new Uint8Array(await file.arrayBuffer()));
      res = await api('/api/admin/import', { method: 'POST', body: { name: file.name, data } });
    } catch (err) {
      replace(out, h('p', { class: 'alert alert-error' }, t('library.import_failed', { error: errorMessage(err) })));
      return;
    }
    const counts = problemCounts(res.problems);
    // The validator writes its problems in English (marked so for screen readers).
    const problems = (res.problems || []).length
      ? h('ul', { id: 'import-problems', class: 'problems', lang: 'en' }, res.problems.map((p) => h('li', { class: `problem problem-${p.level}` }, h('code', null, p.text))))
      : null;
    if (!res.valid) {
      replace(out, h('p', { class: 'alert alert-error', role: 'alert' }, t('library.import_problems', { errors: counts.errors, file: res.file })), problems);
      return;
    }
    const preview = h('section', { id: 'import-preview', class: 'preview', 'aria-labelledby': 'import-preview-h' });
    renderPreview(preview, res.preview, { headingId: 'import-preview-h' });
    const mc = h('section', { id: 'montecarlo', class: 'montecarlo', 'aria-labelledby': 'montecarlo-h' });
    replace(out,
      h('p', { class: 'alert alert-ok', role: 'status' }, t('library.import_ok', { file: res.file, warnings: counts.warnings })),
      counts.warnings ? h('details', null, h('summary', null, t('library.warnings', { count: counts.warnings })), problems) : null,
      preview, mc);
    running = new AbortController();
    runMonteCarlo(mc, res.yaml, running.signal, () => onUse(res.yaml));
  });
}

/** runMonteCarlo plays the imported scenario on the server and shows each objective's share of runs achieved. */
async function runMonteCarlo(box, yaml, signal, use) {
  replace(box, h('h3', { id: 'montecarlo-h' }, t('library.mc_h')), h('p', { class: 'muted', 'aria-busy': 'true' }, t('library.mc_running', { runs: 1000 })));
  let res;
  try {
    res = await api('/api/admin/montecarlo', { method: 'POST', body: { yaml }, signal });
  } catch (err) {
    if (signal.aborted) return;
    replace(box, h('h3', { id: 'montecarlo-h' }, t('library.mc_h')), h('p', { class: 'alert alert-error' }, t('library.mc_failed', { error: errorMessage(err) })));
    return;
  }
  const rows = (res.objectives || []).map((o) => {
    const pct = percent(o.achieved);
    return h('tr', { dataset: { objective: o.id } },
      h('th', { scope: 'row' }, h('strong', null, `${o.id} `), o.text),
      h('td', { class: 'num mono' }, `${pct} %`),
      h('td', { class: 'bar-cell' }, h('meter', { min: '0', max: '100', value: String(pct), 'aria-label': t('library.mc_meter', { objective: o.id, pct }) })));
  });
  const use_ = h('button', { id: 'import-use', type: 'button', class: 'btn btn-primary btn-large' }, t('library.use'));
  use_.addEventListener('click', use);
  replace(box,
    h('h3', { id: 'montecarlo-h' }, t('library.mc_h')),
    h('p', null, t('library.mc_result', { runs: res.runs, difficulty: res.difficulty ? t(`library.difficulty.${res.difficulty}`) : '—' })),
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'montecarlo-h' },
      h('table', { class: 'grid compact', id: 'montecarlo-table' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('library.mc_objective')), h('th', { scope: 'col', class: 'num' }, t('library.mc_achieved')), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('library.mc_achieved'))))),
        h('tbody', null, rows))),
    h('div', { class: 'form-actions' }, use_));
}
