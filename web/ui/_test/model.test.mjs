// Tests of js/model.js: run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { i18n } from '../js/i18n.js';
import { Directory, exerciseText } from '../js/model.js';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../../internal/i18n/catalog/${lang}.json`, import.meta.url), 'utf8'));
i18n.fetch = async (url) => ({ ok: true, json: async () => catalog(url.match(/\/i18n\/(\w+)\.json/)[1]) });

const exercise = {
  teams: [{ id: 'co-csirt', name: 'Colombia national CSIRT' }, { id: 'pe-csirt', name: 'PeCERT' }],
  actors: [{ id: 'minenergia', name: 'Ministry of Energy' }],
  groups: [{ id: 'andean', name: 'Andean teams' }],
  names: {
    'co-csirt': { es: 'CSIRT nacional de Colombia' },
    minenergia: { es: 'Ministerio de Energía', pt: 'Ministério de Energia' },
    andean: { es: 'Equipos andinos' },
  },
};

test('names follow the reader language where the scenario translates them', async () => {
  const dir = new Directory(exercise);
  await i18n.use('es');
  assert.equal(dir.teamName('co-csirt'), 'CSIRT nacional de Colombia');
  assert.equal(dir.teamName('pe-csirt'), 'PeCERT', 'an untranslated name stays as written');
  assert.equal(dir.actorName('minenergia'), 'Ministerio de Energía');
  assert.equal(dir.anyName('group:andean'), 'grupo Equipos andinos');
  assert.equal(dir.anyName('all'), 'todos los equipos');
  assert.equal(dir.anyName('unknown'), 'unknown');
  assert.equal(dir.anyName('$team'), 'el equipo que la desencadenó', 'the team that set an inject off, not "$team"');
  await i18n.use('fr');
  assert.equal(dir.actorName('minenergia'), 'Ministry of Energy', 'no French name: the original');
  assert.equal(dir.anyName('group:andean'), 'groupe Andean teams');
  await i18n.use('en');
  assert.equal(dir.teamName('co-csirt'), 'Colombia national CSIRT');
  assert.equal(dir.anyName('all'), 'all teams');
});

test("the scenario's own texts follow the reader language where it translates them", async () => {
  const ex = {
    title: 'Phishing wave', language: 'en',
    objectives: [{ id: 'O1', text: 'Detect the campaign' }, { id: 'O2', text: 'Share indicators' }],
    translations: { es: { title: 'Ola de phishing', objectives: { O1: 'Detectar la campaña' } } },
    msel: [{ id: 'I01', title: 'Suspicious e-mails', titles: { es: 'Correos sospechosos' } }, { id: 'I02', title: 'Guidance' }],
  };
  const dir = new Directory(ex);
  dir.learnInject({ id: 'I03', title: 'Press', translations: { pt: { title: 'Imprensa', body: '…' } } });
  await i18n.use('es');
  assert.deepEqual(exerciseText(ex, 'title'), { text: 'Ola de phishing', lang: 'es' });
  assert.deepEqual(exerciseText(ex, 'description'), { text: '', lang: 'en' });
  assert.equal(dir.injectTitle('I01'), 'Correos sospechosos');
  assert.equal(dir.injectTitle('I02'), 'Guidance', 'untranslated: as written');
  assert.deepEqual(dir.objectives(), [{ id: 'O1', text: 'Detectar la campaña', lang: 'es' }, { id: 'O2', text: 'Share indicators', lang: 'en' }]);
  await i18n.use('pt');
  assert.equal(dir.injectTitle('I03'), 'Imprensa', "a delivery's translation");
  assert.deepEqual(exerciseText(ex, 'title'), { text: 'Phishing wave', lang: 'en' });
  await i18n.use('en');
});
