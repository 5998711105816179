// Formatting: virtual times (nanoseconds), durations, TLP and severity
// badges, channel labels, and events as human-readable lines.
import { h } from './dom.js';
import { i18n, t, fill } from './i18n.js';

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
  // The SI symbols (s, min, h) read the same in the four languages.
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
export function normTLP(tlp) {
  if (!tlp) return '';
  let s = String(tlp).trim().toLowerCase().replace(/^tlp:/, '');
  if (s === 'white') s = 'clear';
  return s;
}

/** tlpLabel returns "TLP:AMBER+STRICT" for "amber+strict". */
export function tlpLabel(tlp) {
  const n = normTLP(tlp);
  return n ? `TLP:${n.toUpperCase()}` : 'TLP:—';
}

/** tlpBadge returns a badge in the FIRST TLP 2.0 colours, with its label as text. */
export function tlpBadge(level) {
  const n = normTLP(level) || 'none';
  const cls = `tlp tlp-${n.replace('+', '-')}`;
  return h('span', { class: cls, title: TLP_LEVELS.includes(n) ? t(`ui.tlp.help.${n.replace('+', '_')}`) : '' }, tlpLabel(level));
}

export const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/** severityBadge returns a badge naming the severity. */
export function severityBadge(s) {
  if (!s) return null;
  const n = String(s).toLowerCase();
  return h('span', { class: `sev sev-${SEVERITIES.includes(n) ? n : 'unknown'}` }, severityLabel(n));
}

/** severityLabel names a severity in the reader's language ("Alta"). */
export function severityLabel(s) {
  const n = String(s || '').toLowerCase();
  return cap(SEVERITIES.includes(n) ? t(`severity.${n}`) : n);
}

/** CHANNELS are the scenario channels with their icons; channelLabel names them. */
export const CHANNELS = {
  email: { icon: '✉' },
  phone: { icon: '☎' },
  news: { icon: '▤' },
  ticket: { icon: '#' },
  threat_intel: { icon: '◆' },
  social_media: { icon: '@' },
  chat: { icon: '…' },
  meeting: { icon: '◎' },
};

export function channelLabel(c) {
  const k = String(c || '').toLowerCase().replace(/-/g, '_');
  return CHANNELS[k] ? t(`ui.channel.${k}`) : (cap(k.replace(/_/g, ' ')) || t('ui.channel.message'));
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

/** actionLabel names a team action as its button does ("Acknowledge"). */
export function actionLabel(a) { return ACTIONS.includes(a) ? t(`ui.action.${a}`) : cap(String(a || '').replace(/_/g, ' ')); }

/**
 * categoryLabel names a category ("class/type") of taxonomy (the exercise
 * view's) by its type's label, in the reader's language where the catalog
 * has it (a built-in taxonomy), else as the taxonomy labels it, else as
 * written.
 */
export function categoryLabel(tax, value) {
  if (!value) return '';
  const [cls, type] = String(value).split('/');
  const key = tax && type ? `taxonomy.${tax.id}.${cls}.${type}` : '';
  if (key && i18n.has(key)) return t(key);
  const c = tax && (tax.categories || []).find((x) => x.value === value);
  return (c && c.label) || value;
}

/** classLabel names a classification of a taxonomy in the reader's language where the catalog has it. */
export function classLabel(tax, value, label) {
  const key = tax ? `taxonomy.${tax.id}.${String(value).split('/')[0]}` : '';
  return key && i18n.has(key) ? t(key) : label;
}

/**
 * expectationName names an inject's expectation by its action in the
 * reader's language, quoted ("“Acknowledge”"), with its id when the inject
 * expects that action more than once; by its id when the action is not
 * known (a trainee whose player view hides it).
 */
export function expectationName(injectId, id, dir) {
  const list = dir && dir.expectations ? dir.expectations(injectId) : [];
  const e = list.find((x) => x.id === id);
  if (!e || !e.action) return id || '';
  const label = t('ui.quoted', { text: actionLabel(e.action) });
  return list.filter((x) => x.action === e.action).length > 1 ? `${label} (${id})` : label;
}

/**
 * triggerText says what releases an inject without a time of its own, from
 * the MSEL's trigger ({kind, inject, team, action, expectation, delay}).
 */
export function triggerText(trigger, dir) {
  if (!trigger) return '';
  const { kind, inject = '', team, action, expectation = '', choice = '', delay } = trigger;
  let s;
  switch (kind) {
    case 'after': s = t('ui.msel.trigger.after', { inject }); break;
    case 'action': {
      const who = team ? anyName(team, dir) : t('ui.msel.trigger.any_team');
      s = t(inject ? 'ui.msel.trigger.action_on' : 'ui.msel.trigger.action', { team: who, action: actionLabel(action), inject });
      break;
    }
    case 'miss': {
      const [of, id] = expectation.split('.');
      s = t('ui.msel.trigger.miss', { expectation: id ? `${expectationName(of, id, dir)} (${of})` : expectation });
      break;
    }
    case 'choice': {
      const [decision, id] = choice.split('.');
      s = t('ui.msel.trigger.choice', { choice: id ? choiceName(decision, id, dir) : choice, decision });
      break;
    }
    case 'consequence': return t('ui.msel.trigger.consequence');
    default: s = t('ui.msel.trigger.facilitator');
  }
  return delay ? t('ui.msel.trigger.delay', { trigger: s, delay: fmtDuration(delay) }) : s;
}

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
  if (!actor || actor === 'system') return t('ui.actor.system');
  const parts = String(actor).split(':');
  switch (parts[0]) {
    // Staff who joined without a name go by their role.
    case 'facilitator':
    case 'evaluator': {
      const name = parts.slice(1).join(':');
      return name && name !== parts[0] ? name : t(`ui.role.${parts[0]}`);
    }
    case 'trainee': return parts.slice(2).join(':') || t('ui.role.trainee');
    case 'sim': return t('ui.actor.simulated', { team: teamName(parts[1], dir) });
    default: return actor;
  }
}

function teamName(id, dir) { return dir ? dir.teamName(id) : id; }
function anyName(id, dir) { return dir ? dir.anyName(id) : id; }
function injectRef(id, dir) {
  const title = dir ? dir.injectTitle(id) : '';
  return title ? `${id} — ${clip(title)}` : id;
}
function listTeams(ids, dir) { return (ids || []).map((id) => anyName(id, dir)).join(t('report.format.list_sep')); }

/** by adds "by NAME" to text for staff commands; the system's stay bare. */
function by(text, ev, dir) {
  if (!ev.actor || ev.actor === 'system') return text;
  return t('ui.event.by', { text, who: actorName(ev.actor, dir) });
}

/**
 * SERVER_PAUSES maps the texts of the pauses a server makes on its own
 * (engine.PauseServerRestarted, engine.PauseServerStopped) to their
 * catalog keys, whose English text they are.
 */
export const SERVER_PAUSES = new Map([
  ['the server restarted; resume when everyone is back', 'ui.event.pause_server_restarted'],
  ['the server running the exercise stopped; resume when everyone is back', 'ui.event.pause_server_stopped'],
]);

/** dash appends " — detail" when there is a detail. */
function dash(text, detail) { return detail ? `${text} — ${detail}` : text; }

/** kindOf groups event types for colouring and filtering. */
export function kindOf(type) {
  if (!type) return 'other';
  if (type.startsWith('exercise.') || type === 'team.mode') return 'control';
  if (type.startsWith('inject.')) return 'inject';
  if (type === 'team.action' || type === 'message.sent') return 'action';
  if (type === 'expectation.met' || type === 'expectation.scored') return 'met';
  if (type === 'expectation.judged') return 'note';
  if (type === 'expectation.missed' || type === 'expectation.wrong') return 'missed';
  if (type.startsWith('incident.')) return 'incident';
  if (type === 'evaluator.note' || type.startsWith('survey.') || type.startsWith('eeg.')) return 'note';
  return 'other';
}

/** eventText describes an engine event in one line, without the time, in the reader's language. */
export function eventText(ev, dir) {
  const d = ev.data || {};
  const team = ev.team ? teamName(ev.team, dir) : '';
  const inject = injectRef(d.inject, dir);
  switch (ev.type) {
    case 'exercise.created': {
      const text = d.scenario ? t('ui.event.created_from', { scenario: d.scenario }) : t('ui.event.created');
      const seeded = d.seed ? `${text} (${t('ui.event.seed', { seed: String(d.seed) })})` : text;
      return d.humans && d.humans.length ? t('ui.event.created_humans', { text: seeded, teams: listTeams(d.humans, dir) }) : seeded;
    }
    case 'exercise.started': return by(t('ui.event.started'), ev, dir);
    case 'exercise.start_scheduled': return by(d.start_at ? t('schedule.event_set', { at: fmtDateTime(d.start_at) }) : t('schedule.event_cancelled'), ev, dir);
    case 'exercise.paused': {
      // A server's own pause says why in the reader's language, and not who.
      const server = SERVER_PAUSES.get(d.text);
      if (server) return dash(t('ui.event.paused'), t(server));
      return dash(by(t('ui.event.paused'), ev, dir), d.text ? clip(d.text) : '');
    }
    case 'exercise.resumed': return by(t('ui.event.resumed'), ev, dir);
    case 'exercise.speed': return by(t('ui.event.speed', { speed: d.speed }), ev, dir);
    case 'exercise.ended': {
      const reason = reasonCode(d) === 'ended_by_facilitator' ? '' : reasonText(d, dir);
      return dash(dash(by(t('ui.event.ended'), ev, dir), reason), d.text ? clip(d.text) : '');
    }
    case 'team.mode':
      return by(t(d.mode === 'human' ? 'ui.event.mode_human' : 'ui.event.mode_simulated', { team }), ev, dir);
    case 'inject.delivered': {
      const text = t('ui.event.delivered', { inject, team });
      return d.cause && d.cause !== 'facilitator' && !d.cause.startsWith('T+') ? `${text} (${causeText(d.cause, dir)})` : text;
    }
    case 'inject.released':
      return by(ev.team ? t('ui.event.released_for', { inject, team }) : t('ui.event.released', { inject }), ev, dir);
    case 'inject.skipped':
      return dash(by(ev.team ? t('ui.event.skipped_for', { inject, team }) : t('ui.event.skipped', { inject }), ev, dir), d.text ? clip(d.text) : '');
    case 'inject.delayed':
      return by(t('ui.event.delayed', { inject, delay: fmtDuration(d.delay) }), ev, dir);
    case 'inject.sent': {
      const a = d.adhoc || {};
      return by(t('ui.event.sent', { inject: d.inject || a.id || '', title: clip(a.title), teams: listTeams(a.to, dir) }), ev, dir);
    }
    case 'team.action': return actionText(ev, dir);
    case 'message.sent': return messageText(ev, dir);
    case 'simcell.claimed': return tr('simcell.event.claimed', { who: actorName(ev.actor, dir), item: d.item, actor: anyName(d.target, dir) }, '{who} is answering SimCell item {item} ({actor})');
    case 'evaluator.note': {
      const about = [ev.team ? team : '', d.inject || ''].filter(Boolean).join(', ');
      const who = actorName(ev.actor, dir);
      return about ? t('ui.event.note_about', { who, about, text: clip(d.text, 120) }) : t('ui.event.note', { who, text: clip(d.text, 120) });
    }
    case 'expectation.met': {
      const text = t(d.late ? 'ui.event.met_late' : 'ui.event.met', { team, expectation: expectationName(d.inject, d.expectation, dir), inject });
      const scored = d.max_points ? `${text} (+${fmtPoints(d.points)}/${fmtPoints(d.max_points)})` : text;
      return d.provisional ? `${scored} · ${t('judge.provisional')}` : scored;
    }
    case 'eeg.observed':
    case 'eeg.rated':
    case 'eeg.overridden': return eegText(ev, dir);
    case 'expectation.judged':
      return t('judge.event.judged', { who: actorName(ev.actor, dir), team, expectation: expectationName(d.inject, d.expectation, dir), inject: d.inject, rating: t(`judge.rating.${d.rating}`), points: fmtPoints(d.content || 0), max: fmtPoints(d.max_points || 0) });
    case 'expectation.scored':
      return t('judge.event.scored', { team, expectation: expectationName(d.inject, d.expectation, dir), inject: d.inject, rating: t(`judge.rating.${d.rating}`), points: fmtPoints(d.points || 0), max: fmtPoints(d.max_points || 0) });
    case 'aar.edited':
      return t('aar.event.edited', { who: actorName(ev.actor, dir) });
    case 'decision.opened':
      return t('decision.event.opened', { team, decision: decisionName((d.decision_point || {}).id, dir), inject });
    case 'decision.voted': {
      const dp = d.decision_point || {};
      return t('decision.event.voted', { who: actorName(ev.actor, dir), decision: decisionName(dp.id, dir), choice: choiceName(dp.id, dp.choice, dir) });
    }
    case 'decision.made': {
      const dp = d.decision_point || {};
      return t('decision.event.made', { team, decision: decisionName(dp.id, dir), choice: choiceName(dp.id, dp.choice, dir), cause: i18n.has(`decision.cause.${dp.cause}`) ? t(`decision.cause.${dp.cause}`) : dp.cause || '' });
    }
    case 'survey.opened':
      return t('hotwash.event.opened', { who: actorName(ev.actor, dir) });
    case 'survey.answered':
      return d.anonymous ? t('hotwash.event.answered_anonymous', { team }) : t('hotwash.event.answered', { who: actorName(ev.actor, dir) });
    case 'expectation.wrong':
      return dash(t('ui.event.wrong', { team, expectation: expectationName(d.inject, d.expectation, dir), inject: d.inject }), reasonText(d, dir));
    case 'expectation.missed':
      return dash(t('ui.event.missed', { team, expectation: expectationName(d.inject, d.expectation, dir), inject }), reasonCode(d) === 'deadline_passed' ? '' : reasonText(d, dir));
    case 'incident.phase':
      return t('ui.event.phase', { incident: d.incident, team, phase: i18n.has(`phase.${d.phase}`) ? t(`phase.${d.phase}`) : d.phase });
    case 'incident.spread': {
      const text = t('ui.event.spread', { incident: d.incident, team });
      const sector = d.sector ? `${text} (${i18n.has(`sector.${d.sector}`) ? t(`sector.${d.sector}`) : d.sector})` : text;
      return dash(sector, d.cause ? causeText(d.cause, dir) : '');
    }
    default:
      return `${ev.type}${team ? ` (${team})` : ''}`;
  }
}

/**
 * The codes of the engine's fixed English reasons, for events of logs
 * written before events carried reason_code.
 */
const LEGACY_REASONS = {
  'deadline passed': 'deadline_passed',
  'deadline passed after a wrong answer': 'deadline_after_wrong',
  'ended by the facilitator': 'ended_by_facilitator',
  'planned duration reached': 'duration_reached',
};

/** reasonCode returns the reason code of an event's data ({reason, reason_code}), or ''. */
export function reasonCode(d) {
  return (d && (d.reason_code || LEGACY_REASONS[d.reason])) || '';
}

/**
 * reasonText says why an event happened (data.reason_code filled with
 * data.reason_args) in the reader's language, through the catalog's
 * reason.CODE messages; a reason without a known code reads as the engine
 * wrote it. Trainees receive a miss's code without its arguments, so a
 * miss after a wrong answer reads without the answer.
 */
export function reasonText(d, dir) {
  const code = reasonCode(d);
  if (!code || !i18n.has(`reason.${code}`)) return (d && d.reason) || '';
  return sayReason(code, d.reason_args || {}, dir);
}

function sayReason(code, args, dir) {
  if (code === 'deadline_after_wrong' && args.wrong && i18n.has(`reason.${args.wrong}`)) {
    return t('reason.deadline_after_wrong_detail', { reason: sayReason(args.wrong, args, dir) });
  }
  return t(`reason.${code}`, reasonArgs(args, dir));
}

/** reasonArgs says a reason's arguments for the reader: severities, categories, actions and team or actor names. */
function reasonArgs(args, dir) {
  const out = {};
  for (const [k, v] of Object.entries(args)) {
    switch (k) {
      case 'severity': case 'expected_severity': out[k] = i18n.has(`severity.${v}`) ? t(`severity.${v}`) : v; break;
      case 'category': case 'expected_category': out[k] = categoryLabel(dir && dir.exercise && dir.exercise.taxonomy, v); break;
      case 'action': out[k] = actionLabel(v); break;
      case 'target': case 'expected_target': case 'peer': out[k] = anyName(v, dir); break;
      case 'expected_peers': out[k] = listTeams(String(v).split(/,\s*/), dir); break;
      default: out[k] = v;
    }
  }
  return out;
}

function actionText(ev, dir) {
  const d = ev.data || {};
  let team = teamName(ev.team, dir);
  if (ev.actor && ev.actor.startsWith('trainee:')) team = `${team} (${actorName(ev.actor, dir)})`;
  else if (ev.actor && ev.actor.startsWith('sim:')) team = actorName(ev.actor, dir);
  const category = categoryLabel(dir && dir.exercise && dir.exercise.taxonomy, d.category);
  const args = {
    team,
    inject: ['classify', 'share', 'escalate', 'request_info'].includes(d.action) ? d.inject : injectRef(d.inject, dir),
    category: d.severity ? `${category || '?'} / ${t(`severity.${d.severity}`)}` : (category || '?'),
    peers: listTeams(d.peers, dir),
    tlp: tlpLabel(d.tlp),
    target: anyName(d.target, dir),
    action: actionLabel(d.action),
  };
  const s = t(ACTIONS.includes(d.action) ? `ui.event.action.${d.action}` : 'ui.event.action.other', args);
  return d.text ? t('ui.event.with_text', { text: s, quote: clip(d.text, 80) }) : s;
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
  if (d.text) s = tr('ui.event.with_text', { text: s, quote: clip(d.text, 80) }, '{text}: “{quote}”');
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
    case 'after': return t('ui.cause.after', { inject: p[1] });
    case 'action': return t('ui.cause.action', { team: teamName(p[1], dir), action: actionLabel(p[2]), inject: p[3] || '' });
    case 'miss': return t('ui.cause.miss', { team: teamName(p[2], dir), inject: p[1] });
    case 'spread': return t('ui.cause.spread', { spread: p[1] });
    case 'choice': return t('decision.event.cause', { team: teamName(p[2], dir), choice: choiceOfAny(p[1], dir) });
    case 'delayed by facilitator': return t('ui.cause.delayed');
    default: return cause;
  }
}

/**
 * decisionName names decision point id by its prompt (in the reader's
 * language where the scenario translates it, as plain text, clipped), or by
 * its id when no inject seen so far carries it.
 */
export function decisionName(id, dir) {
  const view = dir && dir.decision ? dir.decision(id) : null;
  const prompt = view && ((view.translations && view.translations[i18n.lang]) || view.prompt);
  return prompt ? clip(plainMarkdown(prompt), 80) : id || '';
}

/**
 * choiceName names choice id of decision point decisionId by its label (in
 * the reader's language where the scenario translates it), or by its id.
 */
export function choiceName(decisionId, id, dir) {
  const view = dir && dir.decision ? dir.decision(decisionId) : null;
  return choiceLabel(view, id);
}

/** choiceOfAny names choice id by its label when exactly one decision seen so far offers it (an inject's cause names no decision). */
function choiceOfAny(id, dir) {
  const views = dir && dir.decisionsWithChoice ? dir.decisionsWithChoice(id) : [];
  return views.length === 1 ? choiceLabel(views[0], id) : id || '';
}

function choiceLabel(view, id) {
  const c = view && (view.choices || []).find((x) => x.id === id);
  return (c && ((c.translations && c.translations[i18n.lang]) || c.label)) || id || '';
}

/** plainMarkdown drops the emphasis, heading and quote marks and the link targets of a Markdown text, for one line of plain text. */
function plainMarkdown(s) {
  return String(s).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_`#>]+/g, '');
}

export function fmtPoints(p) {
  if (p === undefined || p === null) return i18n.formatNumber(0);
  return i18n.formatNumber(p, { maximumFractionDigits: 1, minimumFractionDigits: Number.isInteger(p) ? 0 : 1 });
}

/** fmtDateTime formats an RFC 3339 time for people (local time). */
export function fmtDateTime(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return String(s);
  return i18n.formatDateTime(d);
}

/** eegText describes an evaluation guide's event: an observation, a rating or an override. */
function eegText(ev, dir) {
  const d = ev.data || {};
  const g = d.eeg || {};
  const who = actorName(ev.actor, dir);
  if (ev.type === 'eeg.observed') return t('eeg.event.observed', { who, about: g.task ? `${d.objective}.${g.task}` : d.objective, text: clip(d.text, 120) });
  const key = ev.type === 'eeg.overridden' ? 'eeg.event.overridden' : 'eeg.event.rated';
  return t(key, { who, objective: d.objective, grade: g.grade, text: clip(d.text, 120) });
}
