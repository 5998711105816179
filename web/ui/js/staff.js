// What the facilitator and observer pages share: team grid, timeline,
// notes and report links, fed from the socket.
import { $, h, replace } from './dom.js';
import { reportURL, appendixURL, loadHistory } from './api.js';
import { TeamGrid } from './teams.js';
import { Timeline } from './timeline.js';
import { Notes } from './notes.js';
import { JudgeQueue, hasJudged } from './judge.js';
import { EEGPanel } from './eeg.js';
import { startCountdowns } from './countdown.js';
import { announce } from './page.js';
import { i18n, t } from './i18n.js';

export const REPORT_FORMATS = [['html', 'HTML'], ['md', 'Markdown'], ['json', 'JSON'], ['csv', 'CSV']];

/**
 * reportLinks fills root with the report download links (#report-html, …),
 * for the report in the page's language (?lang=).
 */
export function reportLinks(root, ctx) {
  replace(root, REPORT_FORMATS.map(([f, label]) => {
    const attrs = { id: `report-${f}`, class: 'btn', href: reportURL(ctx.session.exercise, f, i18n.lang), hreflang: i18n.tag, title: t('ui.report.download', { format: label }) };
    if (f === 'html') { attrs.target = '_blank'; attrs.rel = 'noopener'; } else { attrs.download = `report.${f}`; }
    return h('a', attrs, label);
  }));
}

/** staffViews builds the grid, timeline and notes and connects them to the socket. */
export function staffViews(ctx, { onToggleMode, canWriteNotes, canJudge = false, lead = false }) {
  const grid = new TeamGrid($('#teams'), { dir: ctx.dir, clock: ctx.clock, startTime: ctx.exercise.start_time, onToggleMode });
  // Past what the page keeps and may load, the whole log is the report's appendix.
  const forgotten = (count) => [t('ui.timeline.forgotten', { count }), ' ',
    h('a', { href: appendixURL(ctx.session.exercise, i18n.lang), hreflang: i18n.tag, download: true }, t('ui.timeline.full_log'))];
  const timeline = new Timeline($('#timeline'), {
    dir: ctx.dir, teamFilter: $('#tl-team'), typeFilter: $('#tl-type'), forgotten,
    loadOlder: (before, limit) => loadHistory(ctx.session.exercise, before, limit), announce,
  });
  const notes = new Notes($('#notes'), ctx, canWriteNotes);
  reportLinks($('#reports'), ctx);
  startCountdowns(ctx.clock);
  // The queue of answers to judge, when the scenario has judged expectations.
  const judgePanel = $('#judge-panel');
  const judge = judgePanel && canJudge && hasJudged(ctx.exercise) ? new JudgeQueue($('#judge'), ctx, { canJudge, lead }) : null;
  if (judge) judgePanel.hidden = false;
  // The evaluation guides: observations and P/S/M/U ratings of objectives.
  const eegPanel = $('#eeg-panel');
  const eeg = eegPanel && canJudge ? new EEGPanel($('#eeg'), ctx, { lead }) : null;
  if (eeg) eegPanel.hidden = false;

  ctx.socket.on('event', (m) => {
    timeline.add(m);
    notes.add(m);
    if (judge) judge.add(m);
    if (eeg) eeg.add(m);
    const ev = m.event || {};
    if (ev.type === 'team.mode' && ev.team) grid.setMode(ev.team, ev.data && ev.data.mode);
  });
  ctx.socket.on('status', (m) => {
    const st = m.status || {};
    grid.update(st.teams, st.status);
    // After the end the server refuses every command but the closing
    // phase's (notes, judgements, the hot wash): turn the others off.
    if (st.status === 'ended') {
      for (const form of document.querySelectorAll('#adhoc-form')) {
        for (const el of form.elements) el.disabled = true;
      }
    }
  });
  return { grid, timeline, notes, judge, eeg };
}
