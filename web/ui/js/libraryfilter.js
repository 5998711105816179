// Pure logic of the admin page's library browser, import and scheduled
// start (no DOM, tested with node): filtering the library by its facts,
// the timeline of a scenario preview, Monte Carlo figures, file bytes to
// base64, and the time left before a scheduled start.

/** FILTER_KEYS are the facts the library filters by, with their filter names. */
export const FILTER_KEYS = Object.freeze({ country: 'countries', sector: 'sectors', level: 'level', language: 'languages' });

/** factsOf returns an entry's facts, with lists where the server sends none. */
function factsOf(entry) {
  const f = (entry && entry.facts) || {};
  return { countries: f.countries || [], sectors: f.sectors || [], languages: f.languages || [], level: f.level || '', difficulty: f.difficulty || '' };
}

/** matches reports whether a library entry passes filter ({country, sector, level, language}; empty values match all). */
export function matches(entry, filter = {}) {
  const f = factsOf(entry);
  for (const [name, key] of Object.entries(FILTER_KEYS)) {
    const want = String(filter[name] || '').toLowerCase();
    if (!want) continue;
    const have = Array.isArray(f[key]) ? f[key] : [f[key]];
    if (!have.some((v) => String(v).toLowerCase() === want)) return false;
  }
  return true;
}

/** filterLibrary returns the entries that pass filter, in their order. */
export function filterLibrary(entries, filter) {
  return (entries || []).filter((e) => matches(e, filter));
}

/** filterOptions returns, per filter, the values the library holds, sorted (levels in their natural order). */
export function filterOptions(entries) {
  const sets = { country: new Set(), sector: new Set(), level: new Set(), language: new Set() };
  for (const e of entries || []) {
    const f = factsOf(e);
    f.countries.forEach((c) => sets.country.add(c));
    f.sectors.forEach((s) => sets.sector.add(s));
    f.languages.forEach((l) => sets.language.add(l));
    if (f.level) sets.level.add(f.level);
  }
  const levelOrder = ['technical', 'operational', 'strategic'];
  return {
    country: [...sets.country].sort(),
    sector: [...sets.sector].sort(),
    level: [...sets.level].sort((a, b) => levelOrder.indexOf(a) - levelOrder.indexOf(b)),
    language: [...sets.language].sort(),
  };
}

/** timelineRows orders a preview's injects for display: timed ones by time, then triggered, then contingency ones. */
export function timelineRows(preview) {
  const rank = { timed: 0, triggered: 1, contingency: 2 };
  return ((preview && preview.timeline) || []).map((in_, i) => ({ ...in_, i }))
    .sort((a, b) => (rank[a.release] ?? 3) - (rank[b.release] ?? 3) || (a.at ?? 0) - (b.at ?? 0) || a.i - b.i);
}

/** percent turns a share (0 to 1) into a whole percentage, clamped. */
export function percent(share) {
  const n = Number(share);
  if (!Number.isFinite(n)) return 0;
  return Math.max(0, Math.min(100, Math.round(n * 100)));
}

/** problemCounts counts the errors and warnings of an import. */
export function problemCounts(problems) {
  let errors = 0, warnings = 0;
  for (const p of problems || []) {
    if (p.level === 'error') errors++; else warnings++;
  }
  return { errors, warnings };
}

/** toBase64 encodes bytes (a Uint8Array) as base64, in chunks so large files do not overflow the call stack. */
export function toBase64(bytes) {
  let bin = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  return btoa(bin);
}

/** untilParts splits the time from nowMs to startMs into days, hours, minutes and seconds (all 0 once passed). */
export function untilParts(startMs, nowMs) {
  let s = Math.max(0, Math.ceil((startMs - nowMs) / 1000));
  const days = Math.floor(s / 86400); s -= days * 86400;
  const hours = Math.floor(s / 3600); s -= hours * 3600;
  const minutes = Math.floor(s / 60); s -= minutes * 60;
  return { days, hours, minutes, seconds: s };
}

/** fmtUntil formats untilParts as "H:MM:SS", with the days apart ({days, clock}). */
export function fmtUntil(startMs, nowMs) {
  const p = untilParts(startMs, nowMs);
  const pad = (n) => String(n).padStart(2, '0');
  return { days: p.days, clock: `${p.hours}:${pad(p.minutes)}:${pad(p.seconds)}` };
}

/** toLocalInput turns a time into the value of a datetime-local input, in the browser's time zone. */
export function toLocalInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** fromLocalInput reads a datetime-local value (browser time zone) as an RFC 3339 UTC time, or null. */
export function fromLocalInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value || '');
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
