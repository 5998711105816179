// Observers and evaluators: the team grid and timeline, read-only; the
// note form for evaluators.
import { $ } from './dom.js';
import { boot } from './page.js';
import { staffViews } from './staff.js';
import { t } from './i18n.js';
import { mountWall } from './wall.js';
import { mountDecisions } from './decision.js';
import { SurveyForm } from './hotwash.js';

async function main() {
  const ctx = await boot('observer', ['observer', 'evaluator']);
  const evaluator = ctx.you.role === 'evaluator';
  document.body.dataset.role = ctx.you.role;
  const heading = $('#notes-heading');
  if (heading) heading.textContent = evaluator ? t('ui.notes.heading') : t('ui.notes.heading_readonly');
  const note = $('.observer-note');
  if (note && evaluator) note.textContent = t('ui.observer.evaluator_note');
  staffViews(ctx, { canWriteNotes: evaluator, canJudge: evaluator });
  mountWall(ctx);
  mountDecisions(ctx);
  new SurveyForm($('#hotwash'), ctx);
  ctx.socket.on('status', (m) => { document.body.dataset.status = (m.status || {}).status || ''; });
  ctx.socket.start();
}

main().catch((err) => { if (!err || !err.handled) console.error(err); });
