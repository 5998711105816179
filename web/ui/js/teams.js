// The live grid of teams (facilitator, evaluator, observer): mode, online
// trainees, score, met/late/missed and open expectations with countdowns.
// Rows are [data-team=ID] with cells .mode, .online, .score, .tally, .open.
import { h, replace } from './dom.js';
import { relabel } from './page.js';
import { fmtPoints, actionLabel } from './format.js';
import { countdown } from './countdown.js';
import { t } from './i18n.js';
import { scenarioDate, fmtTimeInZone } from './scenclock.js';

export class TeamGrid {
  /**
   * @param {HTMLElement} root container (the table is built inside)
   * @param {object} opts dir, clock, startTime (the scenario's, for each team's local time), onToggleMode(teamId, newMode, button) (facilitator only)
   */
  constructor(root, { dir, clock, startTime, onToggleMode } = {}) {
    this.root = root;
    this.dir = dir;
    this.clock = clock;
    this.onToggleMode = onToggleMode;
    this.rows = new Map();
    const head = h('tr', null,
      h('th', { scope: 'col' }, t('ui.team')),
      h('th', { scope: 'col' }, t('ui.teams.mode')),
      h('th', { scope: 'col' }, t('ui.teams.online')),
      h('th', { scope: 'col', class: 'num' }, t('ui.score')),
      h('th', { scope: 'col', class: 'num' }, h('abbr', { title: t('ui.teams.tally_title') }, t('ui.teams.tally'))),
      h('th', { scope: 'col' }, t('ui.teams.open')));
    this.tbody = h('tbody');
    this.table = h('table', { class: 'grid team-grid', id: 'team-grid' }, h('thead', null, head), this.tbody);
    replace(root, h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('ui.teams.table') }, this.table));
    for (const team of dir.teamList()) this.row(team.id);
    if (startTime && clock) {
      clock.onTick((now) => {
        const date = scenarioDate(startTime, now);
        if (!date) return;
        for (const [id, r] of this.rows) {
          const zone = (this.dir.teams.get(id) || {}).timezone;
          const text = zone ? t('ui.teams.local_time', { time: fmtTimeInZone(date, zone) }) : '';
          if (r.local.textContent !== text) r.local.textContent = text;
        }
      });
    }
  }

  row(id) {
    let r = this.rows.get(id);
    if (r) return r;
    const team = this.dir.teams.get(id) || { id, name: id };
    const mode = h('span', { class: 'mode mode-unknown' }, '—');
    const toggle = this.onToggleMode
      ? h('button', { type: 'button', class: 'btn btn-small btn-mode' }, t('ui.teams.simulate'))
      : null;
    const online = h('span', { class: 'online', dataset: { count: 0 } }, '—');
    const local = h('span', { class: 'local-time', title: team.timezone || '' });
    const score = h('td', { class: 'num score', dataset: { score: 0, max: 0 } }, '0/0');
    const tally = h('td', { class: 'num tally' }, '0 / 0 / 0');
    const open = h('ul', { class: 'open open-list' });
    const tr = h('tr', { dataset: { team: id } },
      h('th', { scope: 'row', class: 'team-name' },
        h('span', { class: 'name' }, team.name || id),
        team.country ? h('span', { class: 'country' }, team.country) : null,
        local),
      h('td', { class: 'mode-cell' }, mode, toggle),
      h('td', { class: 'online-cell' }, online),
      score, tally,
      h('td', { class: 'open-cell' }, open));
    if (toggle) {
      toggle.addEventListener('click', () => {
        const next = toggle.dataset.mode === 'human' ? 'simulated' : 'human';
        this.onToggleMode(id, next, toggle);
      });
    }
    this.tbody.appendChild(tr);
    r = { tr, mode, toggle, online, local, score, tally, open, openKey: '' };
    this.rows.set(id, r);
    return r;
  }

  setMode(id, mode) {
    const r = this.row(id);
    r.mode.textContent = mode ? t(`ui.mode.${mode}`) : '—';
    r.mode.className = `mode mode-${mode || 'unknown'}`;
    r.tr.dataset.mode = mode || '';
    if (r.toggle && r.toggle.dataset.state !== 'pending' && !r.toggle.classList.contains('pending')) {
      r.toggle.dataset.mode = mode;
      relabel(r.toggle, mode === 'human' ? t('ui.teams.simulate') : t('ui.teams.hand_to_humans'));
      r.toggle.setAttribute('aria-label', t('ui.teams.toggle_label', { action: r.toggle.dataset.label, team: this.dir.teamName(id) }));
    }
  }

  /** update takes status.teams and status.status (mode changes end with the exercise). */
  update(teams, status) {
    for (const tm of teams || []) {
      const r = this.row(tm.id);
      this.setMode(tm.id, tm.mode);
      if (r.toggle && status === 'ended') r.toggle.disabled = true;
      const names = tm.online || [];
      const onlineText = names.length ? names.join(', ') : '—';
      if (r.online.textContent !== onlineText) r.online.textContent = onlineText;
      r.online.dataset.count = names.length;
      r.online.classList.toggle('is-online', names.length > 0);
      // Points awaiting the evaluators' judgement are marked provisional.
      const scoreText = `${fmtPoints(tm.score)}/${fmtPoints(tm.max_score ?? 0)}${tm.provisional ? ` ${t('judge.provisional_part', { points: fmtPoints(tm.provisional) })}` : ''}`;
      if (r.score.textContent !== scoreText) r.score.textContent = scoreText;
      r.score.dataset.score = tm.score ?? 0;
      r.score.dataset.provisional = tm.provisional ?? 0;
      r.score.dataset.toJudge = tm.to_judge ?? 0;
      r.score.dataset.max = tm.max_score ?? 0;
      const tally = `${tm.met ?? 0} / ${tm.late ?? 0} / ${tm.missed ?? 0}`;
      if (r.tally.textContent !== tally) r.tally.textContent = tally;
      r.tally.dataset.met = tm.met ?? 0;
      r.tally.dataset.late = tm.late ?? 0;
      r.tally.dataset.missed = tm.missed ?? 0;
      const open = (tm.open || []).slice().sort((a, b) => a.deadline - b.deadline);
      const key = open.map((o) => `${o.inject}/${o.expectation}/${o.deadline}`).join('|');
      if (key !== r.openKey) {
        r.openKey = key;
        replace(r.open, open.length ? open.map((o) => h('li', { class: 'open-exp', dataset: { openInject: o.inject, expectation: o.expectation } },
          h('span', { class: 'open-what' }, `${o.inject} ${actionLabel(o.action || o.expectation)}`),
          ' ',
          countdown(o.deadline, this.clock))) : h('li', { class: 'muted' }, t('ui.teams.none')));
      }
    }
  }
}
