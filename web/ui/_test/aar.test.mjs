// Tests of js/aar.js (no DOM needed): run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nextID } from '../js/aar.js';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../../internal/i18n/catalog/${lang}.json`, import.meta.url), 'utf8'));

test('nextID continues after the highest number of its prefix', () => {
  assert.equal(nextID([], 'P'), 'P1');
  assert.equal(nextID([{ id: 'P1' }, { id: 'P7' }, { id: 'A9' }, { id: 'Px' }], 'P'), 'P8');
  assert.equal(nextID([{ id: 'S2' }, { id: 'A3' }], 'A'), 'A4');
});

test('every key the editor uses is in the four catalogs', () => {
  const src = readFileSync(new URL('../js/aar.js', import.meta.url), 'utf8');
  const keys = new Set([...src.matchAll(/t\('((?:aar|priority)\.[a-z_.]+)'/g)].map((m) => m[1]));
  for (const s of ['not_started', 'in_progress', 'completed', 'cancelled']) keys.add(`aar.status.${s}`);
  for (const f of ['xlsx', 'csv']) keys.add(`aar.ui.download_${f}`);
  assert.ok(keys.size > 20);
  for (const l of ['en', 'es', 'pt', 'fr']) {
    const c = catalog(l);
    for (const k of keys) assert.ok(c[k], `${l}: ${k}`);
  }
});

test('the timeline says who edited the AAR/IP', async () => {
  const { eventText } = await import('../js/format.js');
  const { Directory } = await import('../js/model.js');
  const { i18n } = await import('../js/i18n.js');
  i18n.catalogs.set('en', catalog('en'));
  i18n.lang = 'en';
  const dir = new Directory({ teams: [], actors: [] });
  assert.equal(eventText({ type: 'aar.edited', actor: 'facilitator:Marta', data: {} }, dir), 'Marta edited the after-action report and improvement plan');
});
