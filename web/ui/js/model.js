// Directory: names of the exercise's teams, actors and injects, so events
// (which carry ids) can be shown with names, in the reader's language when
// the scenario translates them.
import { i18n, t } from './i18n.js';

export class Directory {
  constructor(exercise = {}) {
    this.exercise = exercise;
    this.teams = new Map();
    this.actors = new Map();
    this.injects = new Map();
    for (const team of exercise.teams || []) this.teams.set(team.id, team);
    for (const a of exercise.actors || []) this.actors.set(a.id, a);
    for (const m of exercise.msel || []) this.injects.set(m.id, { ...m });
  }

  /** localName is a party's name in the reader's language when the scenario translates it, else name. */
  localName(id, name) {
    const names = (this.exercise.names || {})[id];
    return (names && names[i18n.lang]) || name || id;
  }

  teamName(id) {
    if (!id) return '';
    const team = this.teams.get(id);
    return team ? this.localName(id, team.name) : id;
  }

  actorName(id) {
    if (!id) return '';
    const a = this.actors.get(id);
    return a ? this.localName(id, a.name) : id;
  }

  /** anyName names a team, an actor, "group:ID", "all" or "$team" (the team that set an inject off). */
  anyName(id) {
    if (!id) return '';
    if (id === 'all' || id === '*') return t('ui.party.all_teams');
    if (id === '$team') return t('ui.party.trigger_team');
    if (id.startsWith('group:')) {
      const gid = id.slice(6);
      const g = (this.exercise.groups || []).find((x) => x.id === gid);
      return t('ui.party.group', { name: this.localName(gid, g ? g.name : gid) });
    }
    if (this.teams.has(id)) return this.teamName(id);
    if (this.actors.has(id)) return this.actorName(id);
    return id;
  }

  /** expectations lists what an inject expects ({id, action}), as the MSEL or its delivery told. */
  expectations(injectId) {
    const i = this.injects.get(injectId);
    return (i && i.expectations) || [];
  }

  /**
   * injectTitle is an inject's title in the reader's language where the
   * scenario translates it (the MSEL's titles, a delivery's translations),
   * else as written.
   */
  injectTitle(id) {
    const i = this.injects.get(id);
    if (!i) return '';
    const tr = (i.titles && i.titles[i18n.lang]) || (i.translations && i.translations[i18n.lang] && i.translations[i18n.lang].title);
    return tr || i.title || '';
  }

  /** learnInject records what an inject message or ad-hoc inject tells about an inject. */
  learnInject(inj) {
    if (!inj || !inj.id) return;
    const old = this.injects.get(inj.id) || {};
    this.injects.set(inj.id, { ...old, ...inj });
  }

  /** learnEvent picks up inject titles from events (ad-hoc injects). */
  learnEvent(msg) {
    const ev = msg.event || {};
    if (msg.inject) this.learnInject(msg.inject);
    if (ev.type === 'inject.sent' && ev.data && ev.data.adhoc) {
      const a = ev.data.adhoc;
      this.learnInject({ id: ev.data.inject || a.id, title: a.title, channel: a.channel, to: a.to, severity: a.severity, adhoc: true });
    }
  }

  /**
   * decision returns the view of decision point id (prompt, choices and
   * their translations) as its inject brought it, or null when no inject
   * seen so far carries it.
   */
  decision(id) {
    if (!id) return null;
    for (const i of this.injects.values()) if (i.decision && i.decision.id === id) return i.decision;
    return null;
  }

  /** decisionsWithChoice returns the views of the decisions seen so far that offer choice id. */
  decisionsWithChoice(id) {
    return [...this.injects.values()].map((i) => i.decision).filter((d) => d && (d.choices || []).some((c) => c.id === id));
  }

  teamList() { return [...this.teams.values()]; }
  actorList() { return [...this.actors.values()]; }

  /** objectives lists the exercise's objectives ({id, text, lang}), each text in the reader's language where the scenario translates it. */
  objectives() {
    return (this.exercise.objectives || []).map((o) => {
      const id = typeof o === 'string' ? o : o.id ?? o.ID;
      const tr = objectiveTranslations(this.exercise, id)[i18n.lang];
      if (tr) return { id, text: tr, lang: i18n.lang };
      return { id, text: typeof o === 'string' ? o : o.text ?? o.Text ?? '', lang: scenarioLang({ exercise: this.exercise }) };
    });
  }
}

/**
 * exerciseText is one of the exercise's own texts (title, description,
 * start_conditions) in the reader's language where the scenario translates
 * it, else as written: {text, lang}, lang being the language it is in.
 */
export function exerciseText(exercise, field) {
  const tr = exercise && exercise.translations && exercise.translations[i18n.lang];
  if (tr && tr[field]) return { text: tr[field], lang: i18n.lang };
  return { text: (exercise && exercise[field]) || '', lang: scenarioLang({ exercise }) };
}

/** objectiveTranslations maps each language the scenario translates objective id into to its text. */
export function objectiveTranslations(exercise, id) {
  const out = {};
  for (const [lang, tr] of Object.entries((exercise && exercise.translations) || {})) {
    if (tr && tr.objectives && tr.objectives[id]) out[lang] = tr.objectives[id];
  }
  return out;
}

/** scenarioLang is the language the scenario of a page's exercise is written in (en unless it says). */
export function scenarioLang(ctx) {
  return ((ctx && ctx.exercise && ctx.exercise.language) || 'en').toLowerCase();
}
