// The scenario's calendar clock: the scenario's start_time plus the virtual
// time, shown in the scenario's own UTC offset (staff) or in a team's time
// zone (trainees, the team grid), with the browser's Intl.
import { NS } from './format.js';
import { i18n } from './i18n.js';

/** scenarioDate returns the calendar time at virtual time ns, or null without a start time. */
export function scenarioDate(startISO, ns) {
  if (!startISO) return null;
  const t0 = Date.parse(startISO);
  if (Number.isNaN(t0)) return null;
  return new Date(t0 + Math.floor((ns || 0) / NS) * 1000);
}

/** offsetMinutes reads the UTC offset of an RFC 3339 time ("Z", "-05:00"). */
export function offsetMinutes(iso) {
  const m = /([+-])(\d\d):(\d\d)$/.exec(iso || '');
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const PARTS = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

/**
 * fmtInZone formats date in an IANA time zone, with the zone's UTC offset
 * written as fmtAtOffset writes it ("UTC−05:00"): the same form on every
 * page and in every language (the locales' own short names differ:
 * "GMT-5", "UTC−5").
 */
export function fmtInZone(date, timeZone) {
  try {
    return fmtAtOffset(date, zoneOffset(date, timeZone));
  } catch {
    return fmtAtOffset(date, 0);
  }
}

/** zoneOffset returns the UTC offset (minutes) of an IANA time zone at date. */
export function zoneOffset(date, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(date);
  const name = (parts.find((p) => p.type === 'timeZoneName') || {}).value || '';
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** fmtAtOffset formats date at a fixed UTC offset (minutes), e.g. "Tue 10 Mar, 09:10 UTC−05:00". */
export function fmtAtOffset(date, minutes) {
  const shifted = new Date(date.getTime() + minutes * 60000);
  const text = new Intl.DateTimeFormat(i18n.tag, { ...PARTS, timeZone: 'UTC' }).format(shifted);
  if (!minutes) return `${text} UTC`;
  const a = Math.abs(minutes);
  return `${text} UTC${minutes < 0 ? '−' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** fmtTimeInZone formats only the time of day in a time zone ("09:10"). */
export function fmtTimeInZone(date, timeZone) {
  try {
    return new Intl.DateTimeFormat(i18n.tag, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(date);
  } catch {
    return '';
  }
}
