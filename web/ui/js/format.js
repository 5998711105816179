// Formatting: virtual times (nanoseconds), durations, TLP and severity
// badges, channel labels, and events as human-readable lines.
import { h } from './dom.js';
import { i18n, fill } from './i18n.js';

export const NS = 1e9; // nanoseconds per second
export const MIN = 60 * NS;

function pad2(n) { return String(n).padStart(2, '0'); }

/** fmtT formats a virtual time in ns as T+H:MM:SS. */
export function fmtT(ns) {
  const neg = ns < 0;
  let s = Math.floor(Math.abs(ns || 0) / NS);
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const mm = Math.floor(s / 60); s -= mm * 60;
  return `T${neg ? '-' : '+'}${hh}:${pad2(mm)}:${pad2(s)}`;
}

/** fmtTShort formats a virtual time in ns as T+H:MM (for timelines). */
export function fmtTShort(ns) {
  const m = Math.floor(Math.abs(ns || 0) / MIN);
  return `T${ns < 0 ? '-' : '+'}${Math.floor(m / 60)}:${pad2(m % 60)}`;
}

/** fmtCountdown formats a remaining time in ns as M:SS or H:MM:SS (always positive). */
export function fmtCountdown(ns) {
  let s = Math.floor(Math.abs(ns) / NS);
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const mm = Math.floor(s / 60); s -= mm * 60;
  return hh ? `${hh}:${pad2(mm)}:${pad2(s)}` : `${mm}:${pad2(s)}`;
}

/** fmtDuration formats a duration (ns number, or a Go duration string) for people: "2 h", "1 h 30 min", "45 min", "20 s". */
export function fmtDuration(d) {
  if (typeof d === 'string') {
    const ns = parseGoDuration(d);
    if (ns === null) return d;
    d = ns;
  }
  if (typeof d !== 'number' || !isFinite(d)) return '';
  const totalS = Math.round(d / NS);
  if (totalS < 60) return `${totalS} s`;
  const totalM = Math.round(totalS / 60);
  const hh = Math.floor(totalM / 60);
  const mm = totalM % 60;
  if (!hh) return `${mm} min`;
  return mm ? `${hh} h ${mm} min` : `${hh} h`;
}

/** parseGoDuration parses "1h30m0s"-style strings to ns, or null. */
export function parseGoDuration(s) {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  const unit = { h: 3600 * NS, m: MIN, s: NS, ms: 1e6, us: 1e3, 'µs': 1e3, ns: 1 };
  let total = 0; let m; let matched = '';
  while ((m = re.exec(s)) !== null) { total += parseFloat(m[1]) * unit[m[2]]; matched += m[0]; }
  return matched && matched === s.replace(/\s+/g, '') ? total : null;
}

export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'];

/** normTLP normalises "TLP:AMBER", "white" etc. to the canonical lower-case level. */
export function normTLP(t) {
  if (!t) return '';
  let s = String(t).trim().toLowerCase().replace(/^tlp:/, '');
  if (s === 'white') s = 'clear';
  return s;
}

/** tlpLabel returns "TLP:AMBER+STRICT" for "amber+strict". */
export function tlpLabel(t) {
  const n = normTLP(t);
  return n ? `TLP:${n.toUpperCase()}` : 'TLP:—';
}

/** tlpBadge returns a badge in the FIRST TLP 2.0 colours, with its label as text. */
export function tlpBadge(t) {
  const n = normTLP(t) || 'none';
  const cls = `tlp tlp-${n.replace('+', '-')}`;
  return h('span', { class: cls, title: TLP_HELP[n] || '' }, tlpLabel(t));
}

const TLP_HELP = {
  clear: 'Disclosure is not limited.',
  green: 'Limited disclosure, recipients can spread this within their community.',
  amber: 'Limited disclosure, recipients can only spread this on a need-to-know basis within their organization and its clients.',
  'amber+strict': 'Limited disclosure, restricted to the recipient organization only.',
  red: 'For the eyes and ears of individual recipients only, no further disclosure.',
};

export const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/** severityBadge returns a badge naming the severity. */
export function severityBadge(s) {
  if (!s) return null;
  const n = String(s).toLowerCase();
  return h('span', { class: `sev sev-${SEVERITIES.includes(n) ? n : 'unknown'}` }, cap(n));
}

export const CHANNELS = {
  email: { label: 'E-mail', icon: '✉' },
  phone: { label: 'Phone', icon: '☎' },
  news: { label: 'News', icon: '▤' },
  ticket: { label: 'Ticket', icon: '#' },
  threat_intel: { label: 'Threat intel', icon: '◆' },
  social_media: { label: 'Social media', icon: '@' },
  chat: { label: 'Chat', icon: '…' },
  meeting: { label: 'Meeting', icon: '◎' },
};

export function channelLabel(c) {
  const k = String(c || '').toLowerCase().replace(/-/g, '_');
  return (CHANNELS[k] && CHANNELS[k].label) || cap(k.replace(/_/g, ' ')) || 'Message';
}

/** channelBadge returns an icon + text label for a channel. */
export function channelBadge(c) {
  const k = String(c || '').toLowerCase().replace(/-/g, '_');
  const info = CHANNELS[k] || { icon: '•' };
  return h('span', { class: `channel channel-${k || 'none'}` },
    h('span', { class: 'channel-icon', 'aria-hidden': 'true' }, info.icon),
    channelLabel(k));
}

export const ACTIONS = ['acknowledge', 'classify', 'contain', 'escalate', 'share', 'request_info', 'publish', 'report'];

const ACTION_LABEL = {
  acknowledge: 'Acknowledge', classify: 'Classify', contain: 'Contain', escalate: 'Escalate',
  share: 'Share', request_info: 'Request info', publish: 'Publish', report: 'Report',
};

export function actionLabel(a) { return ACTION_LABEL[a] || cap(String(a || '').replace(/_/g, ' ')); }

const ACTION_PAST = {
  acknowledge: 'acknowledged', classify: 'classified', contain: 'contained', escalate: 'escalated',
  share: 'shared', request_info: 'requested information on', publish: 'published a statement on', report: 'reported on',
};

export function cap(s) { s = String(s || ''); return s ? s[0].toUpperCase() + s.slice(1) : s; }

function clip(s, n = 60) {
  s = String(s || '').replace(/\s+/g, ' ').trim();
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * actorName turns an event actor ("facilitator:Maria", "trainee:co-csirt:Juan",
 * "sim:co-csirt", "system") into a short name.
 */
export function actorName(actor, dir) {
  if (!actor || actor === 'system') return 'System';
  const parts = String(actor).split(':');
  switch (parts[0]) {
    case 'facilitator': return parts.slice(1).join(':') || 'Facilitator';
    case 'evaluator': return parts.slice(1).join(':') || 'Evaluator';
    case 'trainee': return parts.slice(2).join(':') || 'Trainee';
    case 'sim': return `${teamName(parts[1], dir)} (simulated)`;
    default: return actor;
  }
}

function teamName(id, dir) { return dir ? dir.teamName(id) : id; }
function anyName(id, dir) { return dir ? dir.anyName(id) : id; }
function injectRef(id, dir) {
  const t = dir ? dir.injectTitle(id) : '';
  return t ? `${id} — ${clip(t)}` : id;
}
function listTeams(ids, dir) { return (ids || []).map((t) => anyName(t, dir)).join(', '); }

/** who returns " (by NAME)" for staff commands, "" for the system. */
function by(ev, dir) {
  if (!ev.actor || ev.actor === 'system') return '';
  return ` by ${actorName(ev.actor, dir)}`;
}

/** kindOf groups event types for colouring and filtering. */
export function kindOf(type) {
  if (!type) return 'other';
  if (type.startsWith('exercise.') || type === 'team.mode') return 'control';
  if (type.startsWith('inject.')) return 'inject';
  if (type === 'team.action' || type === 'message.sent') return 'action';
  if (type === 'expectation.met') return 'met';
  if (type === 'expectation.missed' || type === 'expectation.wrong') return 'missed';
  if (type.startsWith('incident.')) return 'incident';
  if (type === 'evaluator.note') return 'note';
  return 'other';
}

/** eventText describes an engine event in one line, without the time. */
export function eventText(ev, dir) {
  const d = ev.data || {};
  const team = ev.team ? teamName(ev.team, dir) : '';
  switch (ev.type) {
    case 'exercise.created': {
      const humans = d.humans && d.humans.length ? `; played by humans: ${listTeams(d.humans, dir)}` : '';
      return `Exercise created${d.scenario ? ` from ${d.scenario}` : ''}${d.seed ? ` (seed ${d.seed})` : ''}${humans}`;
    }
    case 'exercise.started': return `Exercise started${by(ev, dir)}`;
    case 'exercise.paused': return `Exercise paused${by(ev, dir)}${d.text ? ` — ${clip(d.text)}` : ''}`;
    case 'exercise.resumed': return `Exercise resumed${by(ev, dir)}`;
    case 'exercise.speed': return `Speed set to ${d.speed}×${by(ev, dir)}`;
    case 'exercise.ended': return `Exercise ended${by(ev, dir)}${d.reason && !d.reason.startsWith('ended by') ? ` — ${d.reason}` : ''}${d.text ? ` — ${clip(d.text)}` : ''}`;
    case 'team.mode':
      return `${team} handed to ${d.mode === 'human' ? 'humans' : 'the simulator'}${by(ev, dir)}`;
    case 'inject.delivered':
      return `${injectRef(d.inject, dir)} delivered to ${team}${d.cause && d.cause !== 'facilitator' && !d.cause.startsWith('T+') ? ` (${causeText(d.cause, dir)})` : ''}`;
    case 'inject.released':
      return `${injectRef(d.inject, dir)} released${ev.team ? ` for ${team}` : ''}${by(ev, dir)}`;
    case 'inject.skipped':
      return `${injectRef(d.inject, dir)} skipped${ev.team ? ` for ${team}` : ''}${by(ev, dir)}${d.text ? ` — ${clip(d.text)}` : ''}`;
    case 'inject.delayed':
      return `${injectRef(d.inject, dir)} delayed by ${fmtDuration(d.delay)}${by(ev, dir)}`;
    case 'inject.sent': {
      const a = d.adhoc || {};
      return `Ad-hoc inject ${d.inject || a.id || ''} “${clip(a.title)}” sent to ${listTeams(a.to, dir)}${by(ev, dir)}`;
    }
    case 'team.action': return actionText(ev, dir);
    case 'message.sent': return messageText(ev, dir);
    case 'evaluator.note': {
      const about = [ev.team ? team : '', d.inject || ''].filter(Boolean).join(', ');
      return `Note by ${actorName(ev.actor, dir)}${about ? ` (${about})` : ''}: ${clip(d.text, 120)}`;
    }
    case 'expectation.met': {
      const pts = d.max_points ? ` (+${fmtPoints(d.points)}/${d.max_points})` : '';
      return `${team} met ${d.expectation} on ${injectRef(d.inject, dir)}${d.late ? ' late' : ''}${pts}`;
    }
    case 'expectation.wrong':
      return `${team} answered ${d.expectation} on ${d.inject} wrongly${d.reason ? ` — ${d.reason}` : ''}`;
    case 'expectation.missed':
      return `${team} missed ${d.expectation} on ${injectRef(d.inject, dir)}${d.reason && d.reason !== 'deadline passed' ? ` — ${d.reason}` : ''}`;
    case 'incident.phase':
      return `Incident ${d.incident} at ${team}: ${d.phase}`;
    case 'incident.spread':
      return `Incident ${d.incident} spread to ${team}${d.sector ? ` (${d.sector})` : ''}${d.cause ? ` — ${causeText(d.cause, dir)}` : ''}`;
    default:
      return `${ev.type}${team ? ` (${team})` : ''}`;
  }
}

function actionText(ev, dir) {
  const d = ev.data || {};
  const team = teamName(ev.team, dir);
  const who = ev.actor && ev.actor.startsWith('trainee:') ? ` (${actorName(ev.actor, dir)})` : (ev.actor && ev.actor.startsWith('sim:') ? ' (simulated)' : '');
  const verb = ACTION_PAST[d.action] || d.action;
  let s = `${team}${who} ${verb} ${injectRef(d.inject, dir)}`;
  switch (d.action) {
    case 'classify': s = `${team}${who} classified ${d.inject} as ${d.category || '?'}${d.severity ? ` / ${d.severity}` : ''}`; break;
    case 'share': s = `${team}${who} shared ${d.inject} with ${listTeams(d.peers, dir)} at ${tlpLabel(d.tlp)}`; break;
    case 'escalate': s = `${team}${who} escalated ${d.inject} to ${anyName(d.target, dir)}`; break;
    case 'request_info': s = `${team}${who} requested information on ${d.inject} from ${anyName(d.target, dir)}`; break;
    default: break;
  }
  if (d.text) s += `: “${clip(d.text, 80)}”`;
  return s;
}

/**
 * messageText describes a message between teams: who wrote to whom, of
 * what kind, at which TLP, about which inject, flagged when it is a TLP
 * violation. It uses the page's catalog (ui.messages.event.*) once loaded.
 */
function messageText(ev, dir) {
  const d = ev.data || {};
  const who = ev.actor && ev.actor.startsWith('trainee:') ? ` (${actorName(ev.actor, dir)})` : (ev.actor && ev.actor.startsWith('sim:') ? ` (${tr('ui.messages.event.simulated', {}, 'simulated')})` : '');
  const args = {
    from: `${anyName(d.from || ev.team, dir)}${who}`,
    to: listTeams(d.peers && d.peers.length ? d.peers : (d.target ? [d.target] : []), dir),
    tlp: tlpLabel(d.tlp),
  };
  const kind = ['rfi', 'reply', 'forward'].includes(d.kind) ? d.kind : 'message';
  let s = tr(`ui.messages.event.${kind}`, args, MESSAGE_LINE[kind]);
  if (d.inject) s += ` (${injectRef(d.inject, dir)})`;
  if (d.text) s += `: “${clip(d.text, 80)}”`;
  if (d.reason) s += ` — ${tr('ui.messages.violation', {}, 'TLP violation')}`;
  return s;
}

const MESSAGE_LINE = {
  message: '{from} wrote to {to} at {tlp}',
  rfi: '{from} asked {to} for information at {tlp}',
  reply: '{from} replied to {to} at {tlp}',
  forward: '{from} forwarded a message to {to} at {tlp}',
};

/** tr says key from the page's catalog, or fallback (English) before the catalog is loaded. */
function tr(key, args, fallback) {
  return i18n.has(key) ? i18n.t(key, args) : fill(fallback, args, 'en');
}

function causeText(cause, dir) {
  if (!cause) return '';
  const p = cause.split(':');
  switch (p[0]) {
    case 'after': return `after ${p[1]}`;
    case 'action': return `after ${teamName(p[1], dir)} ${ACTION_PAST[p[2]] || p[2]} ${p[3] || ''}`.trim();
    case 'miss': return `${teamName(p[2], dir)} missed ${p[1]}`;
    case 'spread': return `spread ${p[1]}`;
    default: return cause;
  }
}

export function fmtPoints(p) {
  if (p === undefined || p === null) return '0';
  return Number.isInteger(p) ? String(p) : p.toFixed(1);
}

/** fmtDateTime formats an RFC 3339 time for people (local time). */
export function fmtDateTime(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return String(s);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
