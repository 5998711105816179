// Tests of the pure functions of js/libraryfilter.js: run with
// `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, filterLibrary, filterOptions, timelineRows, percent, problemCounts, toBase64, untilParts, fmtUntil, toLocalInput, fromLocalInput } from '../js/libraryfilter.js';

const lib = [
  { name: 'hospital-ransomware', facts: { countries: ['mx', 'gt', 'hn'], sectors: ['health'], languages: ['es', 'en', 'pt'], level: 'operational', difficulty: 'moderate' } },
  { name: 'caribbean-port-hurricane', facts: { countries: ['jm', 'tt', 'bs'], sectors: ['transport', 'government'], languages: ['en'], level: 'operational' } },
  { name: 'telecom-supply-chain', facts: { countries: ['br', 'ar'], sectors: ['telecom'], languages: ['en', 'es', 'pt', 'fr'], level: 'technical' } },
  { name: 'untagged' },
];

test('matches filters by country, sector, level and language, case aside', () => {
  assert.deepEqual(filterLibrary(lib, { country: 'JM' }).map((e) => e.name), ['caribbean-port-hurricane']);
  assert.deepEqual(filterLibrary(lib, { sector: 'health' }).map((e) => e.name), ['hospital-ransomware']);
  assert.deepEqual(filterLibrary(lib, { level: 'operational' }).map((e) => e.name), ['hospital-ransomware', 'caribbean-port-hurricane']);
  assert.deepEqual(filterLibrary(lib, { language: 'es' }).map((e) => e.name), ['hospital-ransomware', 'telecom-supply-chain']);
  assert.deepEqual(filterLibrary(lib, { language: 'es', level: 'technical' }).map((e) => e.name), ['telecom-supply-chain']);
  assert.deepEqual(filterLibrary(lib, { country: 'jm', sector: 'health' }), []);
  assert.equal(filterLibrary(lib, {}).length, 4);
  assert.equal(matches(lib[3], { level: 'strategic' }), false);
  assert.equal(matches(lib[3], { country: '' }), true);
});

test('filterOptions lists the values present, levels in their natural order', () => {
  const o = filterOptions(lib);
  assert.deepEqual(o.country, ['ar', 'br', 'bs', 'gt', 'hn', 'jm', 'mx', 'tt']);
  assert.deepEqual(o.sector, ['government', 'health', 'telecom', 'transport']);
  assert.deepEqual(o.level, ['technical', 'operational']);
  assert.deepEqual(o.language, ['en', 'es', 'fr', 'pt']);
});

test('timelineRows puts timed injects first in time order, then triggered, then contingency', () => {
  const rows = timelineRows({ timeline: [
    { id: 'C1', release: 'contingency' }, { id: 'T2', release: 'timed', at: 600 }, { id: 'R1', release: 'triggered' },
    { id: 'T1', release: 'timed', at: 0 }, { id: 'R2', release: 'triggered' },
  ] });
  assert.deepEqual(rows.map((r) => r.id), ['T1', 'T2', 'R1', 'R2', 'C1']);
  assert.deepEqual(timelineRows(null), []);
});

test('percent and problemCounts', () => {
  assert.equal(percent(0.724), 72);
  assert.equal(percent(1.2), 100);
  assert.equal(percent('x'), 0);
  assert.deepEqual(problemCounts([{ level: 'error' }, { level: 'warning' }, { level: 'error' }]), { errors: 2, warnings: 1 });
});

test('toBase64 encodes large files without overflowing', () => {
  const bytes = new Uint8Array(200000).map((_, i) => i % 256);
  assert.equal(toBase64(bytes), Buffer.from(bytes).toString('base64'));
  assert.equal(toBase64(new Uint8Array([80, 75, 3, 4])), 'UEsDBA==');
});

test('untilParts and fmtUntil count down to the start and stop at zero', () => {
  const start = Date.UTC(2026, 4, 12, 13, 30);
  assert.deepEqual(untilParts(start, start - ((26 * 3600 + 5 * 60 + 7) * 1000)), { days: 1, hours: 2, minutes: 5, seconds: 7 });
  assert.deepEqual(fmtUntil(start, start - 65500), { days: 0, clock: '0:01:06' });
  assert.deepEqual(untilParts(start, start + 5000), { days: 0, hours: 0, minutes: 0, seconds: 0 });
});

test('a datetime-local value round-trips through UTC', () => {
  const d = new Date(2026, 4, 12, 8, 30);
  const v = toLocalInput(d);
  assert.equal(v, '2026-05-12T08:30');
  assert.equal(fromLocalInput(v), d.toISOString().replace('.000Z', 'Z'));
  assert.equal(fromLocalInput('tomorrow'), null);
  assert.equal(fromLocalInput(''), null);
});
