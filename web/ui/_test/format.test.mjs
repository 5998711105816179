// Tests of js/format.js (no DOM needed): run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fmtT, fmtTShort, fmtCountdown, fmtDuration, eventText, normTLP, tlpLabel, kindOf, reasonText, triggerText, SERVER_PAUSES, categoryLabel } from '../js/format.js';
import { Directory } from '../js/model.js';
import { i18n } from '../js/i18n.js';

// The page's catalogs, as i18n.start loads them: English unless a test
// switches.
const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../../internal/i18n/catalog/${lang}.json`, import.meta.url), 'utf8'));
for (const l of ['en', 'es', 'pt', 'fr']) i18n.catalogs.set(l, catalog(l));
const inLang = (lang, fn) => { const was = i18n.lang; i18n.lang = lang; try { return fn(); } finally { i18n.lang = was; } };

const M = 60e9;

test('virtual times', () => {
  assert.equal(fmtT(0), 'T+0:00:00');
  assert.equal(fmtT(3723e9), 'T+1:02:03');
  assert.equal(fmtTShort(12 * M), 'T+0:12');
  assert.equal(fmtCountdown(75e9), '1:15');
  assert.equal(fmtCountdown(3675e9), '1:01:15');
  assert.equal(fmtDuration(2 * 60 * M), '2 h');
  assert.equal(fmtDuration(90 * M), '1 h 30 min');
  assert.equal(fmtDuration('45m0s'), '45 min');
});

test('TLP levels', () => {
  assert.equal(normTLP('TLP:AMBER+STRICT'), 'amber+strict');
  assert.equal(normTLP('white'), 'clear');
  assert.equal(tlpLabel('amber'), 'TLP:AMBER');
});

test('every event of the golden example log reads as a sentence', () => {
  const url = new URL('../../../testdata/golden/engine/example.commands.jsonl', import.meta.url);
  const events = readFileSync(url, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const dir = new Directory({
    teams: [{ id: 'co-csirt', name: 'colCERT' }, { id: 'pe-csirt', name: 'PeCERT' }],
    actors: [{ id: 'mintic', name: 'Ministry of ICT' }],
    msel: [{ id: 'I01', title: 'Suspicious e-mails reported by the ministry' }],
  });
  for (const ev of events) {
    const s = eventText(ev, dir);
    assert.ok(s && !s.includes('undefined') && !s.startsWith(ev.type), `${ev.type}: ${s}`);
    assert.notEqual(kindOf(ev.type), 'other', ev.type);
  }
  const byType = Object.fromEntries(events.map((ev) => [`${ev.seq}`, eventText(ev, dir)]));
  assert.equal(byType[5], 'colCERT (Juan) acknowledged I01 — Suspicious e-mails reported by the ministry');
  assert.equal(byType[12], 'colCERT (Juan) shared I01 with PeCERT at TLP:AMBER: “IoCs attached: nomina-minfin[.]com, 185.220.101.7”');
  assert.equal(byType[16], 'colCERT (Juan) escalated I02 to Ministry of ICT: “Please block nomina-minfin[.]com nationally.”');
});

test('spread and missed', () => {
  const dir = new Directory({ teams: [{ id: 'pe-csirt', name: 'PeCERT' }, { id: 'co-csirt', name: 'colCERT' }] });
  assert.equal(eventText({ type: 'incident.spread', team: 'pe-csirt', data: { incident: 'INC1' } }, dir), 'Incident INC1 spread to PeCERT');
  assert.equal(eventText({ type: 'expectation.missed', team: 'co-csirt', data: { inject: 'I01', expectation: 'share', reason: 'deadline passed' } }, dir), 'colCERT missed share on I01');
});

test('timeline lines read in the page language', () => {
  const dir = new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }, { id: 'pe-csirt', name: 'PeCERT' }] });
  const spread = { type: 'incident.spread', team: 'pe-csirt', data: { incident: 'INC1' } };
  const share = { type: 'team.action', team: 'co-csirt', actor: 'trainee:co-csirt:Ana', data: { action: 'share', inject: 'I01', peers: ['pe-csirt'], tlp: 'amber' } };
  assert.equal(inLang('es', () => eventText(spread, dir)), 'El incidente INC1 se propagó a PeCERT');
  assert.equal(inLang('pt', () => eventText(share, dir)), 'colCERT (Ana) compartilhou I01 com PeCERT em TLP:AMBER');
  assert.equal(inLang('fr', () => eventText({ type: 'exercise.started', actor: 'facilitator:Marie', data: {} }, dir)), 'Exercice démarré par Marie');
  assert.equal(inLang('es', () => eventText({ type: 'exercise.ended', actor: 'system', data: { reason: 'planned duration reached' } }, dir)),
    'Ejercicio finalizado — se alcanzó la duración prevista');
});

test('reasons read in the page language from their code', () => {
  const dir = new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }, { id: 'pe-csirt', name: 'PeCERT' }], actors: [{ id: 'mintic', name: 'MinTIC' }] });
  const wrong = {
    reason: 'deadline passed after a wrong answer: severity medium, expected critical',
    reason_code: 'deadline_after_wrong',
    reason_args: { wrong: 'wrong_severity', severity: 'medium', expected_severity: 'critical' },
  };
  assert.equal(inLang('es', () => reasonText(wrong, dir)), 'venció el plazo después de una respuesta errónea: severidad media, se esperaba crítica');
  assert.equal(inLang('en', () => reasonText(wrong, dir)), wrong.reason);
  // A trainee's copy has the code without the arguments: no answer in it.
  assert.equal(inLang('pt', () => reasonText({ reason: 'deadline passed after a wrong answer', reason_code: 'deadline_after_wrong' }, dir)),
    'prazo esgotado após uma resposta incorreta');
  assert.equal(inLang('fr', () => reasonText({ reason_code: 'wrong_target', reason_args: { target: 'mintic', expected_target: 'co-csirt' } }, dir)),
    'escaladé vers MinTIC, attendu colCERT');
  assert.equal(inLang('es', () => reasonText({ reason_code: 'wrong_peer', reason_args: { peer: 'pe-csirt', expected_peers: 'co-csirt, pe-csirt' } }, dir)),
    'compartió con PeCERT, que no era un destinatario previsto (colCERT, PeCERT)');
  // Categories are said by their label in the scenario's taxonomy.
  const rsit = new Directory({ taxonomy: { id: 'rsit', categories: [] } });
  const category = { reason_code: 'wrong_category', reason_args: { category: 'malicious-code/infected-system', expected_category: 'availability/ddos' } };
  assert.equal(inLang('es', () => reasonText(category, rsit)), `categoría «Sistema infectado», se esperaba «${inLang('es', () => i18n.t('taxonomy.rsit.availability.ddos'))}»`);
  // Older logs: the fixed English reasons are recognised; others read as written.
  assert.equal(inLang('es', () => reasonText({ reason: 'ended by the facilitator' }, dir)), 'finalizado por el facilitador');
  assert.equal(inLang('es', () => reasonText({ reason: 'something new' }, dir)), 'something new');
  assert.equal(reasonText({}, dir), '');
  const missed = { type: 'expectation.missed', team: 'co-csirt', data: { inject: 'I01', expectation: 'classify', ...wrong } };
  assert.equal(inLang('es', () => eventText(missed, dir)),
    'colCERT no cumplió classify en I01 — venció el plazo después de una respuesta errónea: severidad media, se esperaba crítica');
  const plain = { type: 'expectation.missed', team: 'co-csirt', data: { inject: 'I01', expectation: 'share', reason: 'deadline passed', reason_code: 'deadline_passed' } };
  assert.equal(inLang('es', () => eventText(plain, dir)), 'colCERT no cumplió share en I01');
});

test('causes, sectors and quoted texts read in the page language', () => {
  const dir = new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }, { id: 'pe-csirt', name: 'PeCERT' }] });
  const delayed = { type: 'inject.delivered', team: 'co-csirt', data: { inject: 'I01', cause: 'delayed by facilitator' } };
  assert.match(inLang('es', () => eventText(delayed, dir)), /\(retrasada por el facilitador\)$/);
  assert.match(inLang('en', () => eventText(delayed, dir)), /\(delayed by the facilitator\)$/);
  const spread = { type: 'incident.spread', team: 'pe-csirt', data: { incident: 'INC1', sector: 'health' } };
  assert.equal(inLang('pt', () => eventText(spread, dir)), `${inLang('pt', () => eventText({ ...spread, data: { incident: 'INC1' } }, dir))} (saúde)`);
  const message = { type: 'message.sent', team: 'co-csirt', actor: 'trainee:co-csirt:Ana', data: { from: 'co-csirt', peers: ['pe-csirt'], tlp: 'green', text: 'IoC adjuntos' } };
  assert.match(inLang('es', () => eventText(message, dir)), /: «IoC adjuntos»$/);
  assert.match(inLang('fr', () => eventText(message, dir)), /\s:\s«\sIoC adjuntos\s»$/);
  assert.match(inLang('en', () => eventText(message, dir)), /: “IoC adjuntos”$/);
});

test('what releases an inject reads in the page language', () => {
  const dir = new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }] });
  assert.equal(inLang('en', () => triggerText({ kind: 'after', inject: 'I01', delay: 10 * M }, dir)), 'after I01 + 10 min');
  assert.equal(inLang('es', () => triggerText({ kind: 'action', team: 'co-csirt', action: 'share', inject: 'I02' }, dir)), 'cuando colCERT realiza «Compartir» en I02');
  assert.equal(inLang('pt', () => triggerText({ kind: 'action', action: 'escalate' }, dir)), `quando uma equipe realiza “${inLang('pt', () => i18n.t('ui.action.escalate'))}”`);
  assert.equal(inLang('fr', () => triggerText({ kind: 'miss', expectation: 'I01.share' }, dir)), 'quand l’attendu share (I01) est manqué', 'an expectation the console does not know: its id');
  const known = new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }], groups: [{ id: 'andean', name: 'Andinos' }], msel: [{ id: 'I01', expectations: [{ id: 'share', action: 'share' }] }] });
  assert.equal(inLang('es', () => triggerText({ kind: 'miss', expectation: 'I01.share' }, known)), 'cuando no se cumple «Compartir» (I01)');
  assert.equal(inLang('es', () => triggerText({ kind: 'action', team: 'group:andean', action: 'share' }, known)), 'cuando grupo Andinos realiza «Compartir»', 'a group, by its name');
  assert.equal(inLang('en', () => triggerText({ kind: 'choice', choice: 'D1.escalate', delay: 10 * M }, dir)), 'when a team chooses “escalate” at D1 + 10 min');
  assert.equal(inLang('es', () => triggerText({ kind: 'consequence' }, dir)), 'consecuencia de una expectativa incumplida o de una propagación');
  assert.equal(inLang('pt', () => triggerText({ kind: 'facilitator' }, dir)), 'liberada pelo facilitador');
  assert.equal(triggerText(undefined, dir), '');
});

test('a pause the server made on its own reads in the page language', () => {
  const dir = new Directory({});
  const en = catalog('en');
  for (const [text, key] of SERVER_PAUSES) assert.equal(en[key], text, `the English of ${key} is the engine's text`);
  const pause = { type: 'exercise.paused', actor: 'facilitator:server', data: { text: 'the server restarted; resume when everyone is back' } };
  assert.equal(inLang('es', () => eventText(pause, dir)), 'Ejercicio pausado — el servidor se reinició; reanude cuando todos hayan vuelto');
  const own = { type: 'exercise.paused', actor: 'facilitator:Marta', data: { text: 'constructor' } };
  assert.match(inLang('es', () => eventText(own, dir)), /Marta — constructor$/, 'a facilitator’s own text stays as written');
});

test('an expectation reads as its action where the console knows it', () => {
  const dir = new Directory({
    teams: [{ id: 'co-csirt', name: 'colCERT' }],
    msel: [{ id: 'I01', title: 'Phishing', expectations: [{ id: 'ack', action: 'acknowledge' }, { id: 'share-pe', action: 'share' }, { id: 'share-cl', action: 'share' }] }],
  });
  const met = (expectation, inject = 'I01') => ({ type: 'expectation.met', team: 'co-csirt', data: { inject, expectation } });
  assert.match(inLang('es', () => eventText(met('ack'), dir)), /^colCERT cumplió «Acusar recibo» en I01/);
  assert.match(inLang('en', () => eventText(met('share-pe'), dir)), /^colCERT met “Share” \(share-pe\) on I01/, 'two shares: the id tells them apart');
  assert.match(inLang('en', () => eventText(met('ack', 'I09'), dir)), /^colCERT met ack on I09/, 'an inject the console does not know: the id');
  const missed = { type: 'expectation.missed', team: 'co-csirt', data: { inject: 'I01', expectation: 'ack', reason: 'deadline passed', reason_code: 'deadline_passed' } };
  assert.match(inLang('fr', () => eventText(missed, dir)).replace(/\u00a0/g, ' '), /^colCERT a manqué « Accuser réception » sur I01/);
});

test('a category reads as its label in the page language', () => {
  const taxonomy = { id: 'rsit', name: 'RSIT', categories: [{ value: 'malicious-code/infected-system', class: 'Malicious code', label: 'Infected system' }] };
  const dir = new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }], taxonomy });
  const classify = { type: 'team.action', team: 'co-csirt', data: { action: 'classify', inject: 'I01', category: 'malicious-code/infected-system', severity: 'low' } };
  assert.match(inLang('es', () => eventText(classify, dir)), /Sistema infectado \/ baja/);
  assert.equal(inLang('pt', () => categoryLabel(taxonomy, 'malicious-code/infected-system')), 'Sistema infectado');
  const own = new Directory({ taxonomy: { id: 'mine', categories: [{ value: 'ot/plc', class: 'OT', label: 'PLC tampering' }] } });
  assert.equal(inLang('es', () => categoryLabel(own.exercise.taxonomy, 'ot/plc')), 'PLC tampering', "a scenario's own taxonomy: its label");
  assert.equal(categoryLabel(own.exercise.taxonomy, 'unknown/thing'), 'unknown/thing');
});
