// Join codes as the facilitator and the administrator hand them out: one
// row per role and team with the code, the join link, a copy button and a
// QR code to show a room of trainees with phones (drawn by the server,
// GET /api/exercises/{id}/qr/{who}).
import { h, replace, copyButton } from './dom.js';
import { t } from './i18n.js';

/** joinLink is the link that joins with code on this server. */
export function joinLink(code) {
  return `${location.origin}/?code=${encodeURIComponent(code)}`;
}

/** qrURL is the address of the QR code of who's join link. */
export function qrURL(exercise, who) {
  return `/api/exercises/${encodeURIComponent(exercise)}/qr/${encodeURIComponent(who)}`;
}

let qrDialog = null;

function buildQRDialog() {
  const title = h('h2', { id: 'qr-title', class: 'dialog-title' });
  const img = h('img', { class: 'qr', id: 'qr-image', alt: '', width: '320', height: '320' });
  const link = h('p', { id: 'qr-link', class: 'qr-link mono' });
  const close = h('button', { type: 'submit', id: 'qr-close', class: 'btn btn-primary' }, t('ui.close'));
  const d = h('dialog', { id: 'qr-dialog', class: 'dialog dialog-qr', 'aria-labelledby': 'qr-title' },
    h('form', { method: 'dialog', class: 'dialog-form' }, title, img, link, h('div', { class: 'dialog-buttons' }, close)));
  document.body.appendChild(d);
  return { d, title, img, link, close };
}

/** showQR opens a large QR code of a join link, to show on a projector. */
export function showQR(exercise, who, label, code) {
  if (!qrDialog) qrDialog = buildQRDialog();
  const { d, title, img, link, close } = qrDialog;
  title.textContent = t('ui.codes.join_as', { who: label });
  img.src = qrURL(exercise, who);
  img.alt = t('ui.codes.qr_alt', { who: label });
  link.textContent = joinLink(code);
  d.showModal();
  close.focus();
}

function codeRow(exercise, who, label, code, attrs) {
  const link = joinLink(code);
  const qr = h('button', { type: 'button', class: 'btn btn-small btn-qr', 'aria-label': t('ui.codes.qr_label', { who: label }) }, t('ui.codes.qr'));
  qr.addEventListener('click', () => showQR(exercise, who, label, code));
  return h('li', { class: 'code-row', ...attrs },
    h('span', { class: 'code-label' }, label),
    h('code', { class: 'code-value' }, code),
    h('a', { class: 'code-link', href: link }, link),
    h('span', { class: 'code-buttons' },
      copyButton(link, t('ui.codes.copy_link'), { 'aria-label': t('ui.codes.copy_link_label', { who: label }) }),
      qr));
}

/**
 * fillCodes fills list with the exercise's codes: facilitator, evaluator,
 * observer, then each team (teamName names them).
 */
export function fillCodes(list, exercise, codes, teamName = (id) => id) {
  const rows = [];
  const c = codes || {};
  if (c.facilitator) rows.push(codeRow(exercise, 'facilitator', t('ui.role.facilitator'), c.facilitator, { dataset: { codeRole: 'facilitator' } }));
  if (c.evaluator) rows.push(codeRow(exercise, 'evaluator', t('ui.role.evaluator'), c.evaluator, { dataset: { codeRole: 'evaluator' } }));
  if (c.observer) rows.push(codeRow(exercise, 'observer', t('ui.role.observer'), c.observer, { dataset: { codeRole: 'observer' } }));
  for (const [team, code] of Object.entries(c.teams || {})) {
    rows.push(codeRow(exercise, team, t('ui.codes.team', { team: teamName(team) }), code, { dataset: { codeRole: 'trainee', codeTeam: team } }));
  }
  replace(list, rows);
}
