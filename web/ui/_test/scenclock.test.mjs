// Tests of js/scenclock.js: run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtInZone, fmtAtOffset, zoneOffset } from '../js/scenclock.js';

test('a time zone reads as its UTC offset, the same form as a fixed offset', () => {
  const date = new Date('2026-03-10T14:10:00Z');
  assert.equal(zoneOffset(date, 'America/Bogota'), -300);
  assert.equal(zoneOffset(date, 'Asia/Kolkata'), 330);
  assert.equal(zoneOffset(date, 'UTC'), 0);
  assert.equal(zoneOffset(new Date('2026-07-01T12:00:00Z'), 'America/Santiago'), -240, 'Chile in winter');
  assert.equal(fmtInZone(date, 'America/Lima'), fmtAtOffset(date, -300));
  assert.match(fmtInZone(date, 'America/Lima'), /09:10 UTC−05:00$/);
  assert.match(fmtInZone(date, 'Not/AZone'), / UTC$/, 'an unknown zone: UTC');
});
