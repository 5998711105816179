// Demo mode (#demo in the URL): a small fake server in the page, so the
// facilitator, trainee and observer pages can be looked at without the Go
// server. It speaks the real protocol to the real socket client through a
// fake WebSocket, so reconnects and command acks behave as in production.
// In the console: cmesimDemo.drop() drops the connection;
// cmesimDemo.dropBeforeAck = true drops it after the next command is
// applied but before its ack (the client must find it in the replay).

const S = 1e9;
const M = 60 * S;

const TEAMS = [
  { id: 'co-csirt', name: 'colCERT', country: 'CO', sector: 'national' },
  { id: 'pe-csirt', name: 'PeCERT', country: 'PE', sector: 'national' },
  { id: 'ec-csirt', name: 'EcuCERT', country: 'EC', sector: 'national' },
];
const ACTORS = [
  { id: 'minfin-co', name: 'Ministry of Finance (Colombia)', kind: 'operator' },
  { id: 'mintic', name: 'Ministry of ICT', kind: 'national_authority' },
  { id: 'eltiempo', name: 'El Tiempo (newspaper)', kind: 'media' },
];
const LINKS = { 'co-csirt': { 'pe-csirt': ['clear', 'green', 'amber'], 'ec-csirt': ['clear', 'green'] } };

const INJECTS = {
  I01: {
    id: 'I01', title: 'Suspicious e-mails reported by the ministry', channel: 'email', from: 'minfin-co',
    from_name: 'Ministry of Finance (Colombia)', severity: 'medium', tlp: 'amber',
    body: 'Dear **colCERT**,\n\nseveral staff received an e-mail *"Actualización de nómina"* with a link to a fake login page. Three users entered their credentials before the help desk noticed.\n\n- Sender: `rrhh@nomina-minfin.com`\n- Link: [portal de nómina](hxxps://nomina-minfin[.]com/login)\n\nPlease advise on next steps.',
    attachments: [{ name: 'iocs.txt', kind: 'ioc', content: 'hxxps://nomina-minfin[.]com/login\n185.220.101.7\nrrhh@nomina-minfin[.]com' }],
    translations: { es: { title: 'Correos sospechosos reportados por el ministerio', body: 'Estimado **colCERT**, varios funcionarios recibieron un correo sospechoso *"Actualización de nómina"*.' } },
    expectations: [
      { id: 'ack', action: 'acknowledge', deadline: 25 * M, points: 5, text: 'Acknowledge the report.' },
      { id: 'classify', action: 'classify', deadline: 40 * M, points: 10, text: 'Classify the incident.' },
      { id: 'share', action: 'share', deadline: 55 * M, points: 15, text: 'Share the indicators with PeCERT.' },
    ],
  },
  I02: {
    id: 'I02', title: 'The minister asks for a briefing', channel: 'phone', from: 'mintic', from_name: 'Ministry of ICT',
    severity: 'high', tlp: 'amber',
    body: 'The minister\'s office calls: they heard about "a cyber attack" on the ministry of finance and want a briefing **within the hour**.',
    attachments: [],
    expectations: [{ id: 'escalate', action: 'escalate', deadline: 60 * M, points: 10, text: 'Brief the national authority.' }],
  },
};

const MSEL = [
  { id: 'I01', title: INJECTS.I01.title, at: 10 * M, trigger: 'T+0:10', to: ['co-csirt', 'ec-csirt'], channel: 'email', severity: 'medium' },
  { id: 'I02', title: INJECTS.I02.title, at: null, trigger: 'after I01 (+20m)', to: ['co-csirt'], channel: 'phone', severity: 'high' },
  { id: 'I03', title: 'Same lure seen at the Peruvian ministry', at: null, trigger: 'spread to-peru', to: ['pe-csirt'], channel: 'email', severity: 'high' },
  { id: 'I04', title: 'Ransom note on a ministry file server', at: 80 * M, trigger: 'T+1:20', to: ['co-csirt', 'pe-csirt'], channel: 'ticket', severity: 'critical' },
  { id: 'I05', title: 'Journalist asks for comment', at: null, trigger: 'released by the facilitator', to: ['$team'], channel: 'phone', severity: 'medium' },
];

function buildLog() {
  const log = [];
  const add = (at, type, actor, team, audience, data, inject) => {
    const seq = log.length + 1;
    log.push({ type: 'event', seq, at, event: { seq, at, type, actor, ...(team ? { team } : {}), ...(audience ? { audience } : {}), data }, ...(inject ? { inject } : {}) });
  };
  const cmd = (type, by, extra) => ({ type, by, ...extra });
  const maria = { role: 'facilitator', name: 'Maria' };
  const juan = { role: 'trainee', team: 'co-csirt', name: 'Juan' };
  add(0, 'exercise.created', 'system', '', null, { text: 'Phishing wave against two ministries', seed: 42, humans: ['co-csirt', 'pe-csirt'], scenario: 'example-phishing' });
  add(0, 'exercise.started', 'facilitator:Maria', '', ['*'], { command: cmd('start', maria) });
  const expsOf = (inj, at) => inj.expectations.map((x) => ({ id: x.id, action: x.action, deadline: x.deadline, points: x.points }));
  add(10 * M, 'inject.delivered', 'system', 'co-csirt', ['co-csirt'], { inject: 'I01', severity: 'medium', tlp: 'amber', incident: 'INC1', cause: 'T+0:10', expectations: expsOf(INJECTS.I01) }, INJECTS.I01);
  add(10 * M, 'inject.delivered', 'system', 'ec-csirt', ['ec-csirt'], { inject: 'I01', severity: 'medium', tlp: 'amber', incident: 'INC1', cause: 'T+0:10', expectations: expsOf(INJECTS.I01) }, { ...INJECTS.I01, body: INJECTS.I01.body.replace('colCERT', 'EcuCERT') });
  add(10 * M, 'incident.phase', 'system', 'co-csirt', ['co-csirt'], { inject: 'I01', incident: 'INC1', phase: 'detected' });
  add(12 * M, 'team.action', 'trainee:co-csirt:Juan', 'co-csirt', ['co-csirt'], { inject: 'I01', action: 'acknowledge', command: cmd('acknowledge', juan, { inject: 'I01' }) });
  add(12 * M, 'expectation.met', 'system', 'co-csirt', ['co-csirt'], { inject: 'I01', expectation: 'ack', deadline: 25 * M, latency: 2 * M, points: 5, max_points: 5 });
  add(14 * M, 'team.action', 'sim:ec-csirt', 'ec-csirt', ['ec-csirt'], { inject: 'I01', action: 'acknowledge' });
  add(14 * M, 'expectation.met', 'system', 'ec-csirt', ['ec-csirt'], { inject: 'I01', expectation: 'ack', deadline: 25 * M, latency: 4 * M, points: 5, max_points: 5 });
  add(18 * M, 'team.action', 'trainee:co-csirt:Juan', 'co-csirt', ['co-csirt'], { inject: 'I01', action: 'classify', category: 'phishing', severity: 'high', command: cmd('classify', juan, { inject: 'I01', category: 'phishing', severity: 'high' }) });
  add(18 * M, 'expectation.met', 'system', 'co-csirt', ['co-csirt'], { inject: 'I01', expectation: 'classify', deadline: 40 * M, latency: 8 * M, points: 10, max_points: 10 });
  add(25 * M, 'evaluator.note', 'evaluator:Eva', 'co-csirt', null, { inject: 'I01', text: 'Classified quickly but did not consider sharing yet.', command: cmd('note', { role: 'evaluator', name: 'Eva' }, { inject: 'I01', team: 'co-csirt', text: 'Classified quickly but did not consider sharing yet.' }) });
  add(30 * M, 'inject.delivered', 'system', 'co-csirt', ['co-csirt'], { inject: 'I02', severity: 'high', tlp: 'amber', incident: 'INC1', cause: 'after:I01', expectations: expsOf(INJECTS.I02) }, INJECTS.I02);
  add(33 * M, 'team.action', 'trainee:pe-csirt:Rosa', 'pe-csirt', ['pe-csirt', 'co-csirt'], { inject: 'P01', action: 'share', peers: ['co-csirt'], tlp: 'green', text: 'We see the same lure against our ministry of economy. Sender domain nomina-mef[.]com, same IP 185.220.101.7. Blocked at national DNS.', command: cmd('share', { role: 'trainee', team: 'pe-csirt', name: 'Rosa' }, { inject: 'P01', peers: ['co-csirt'], tlp: 'green' }) });
  add(40 * M, 'expectation.missed', 'system', 'ec-csirt', ['ec-csirt'], { inject: 'I01', expectation: 'classify', deadline: 40 * M, max_points: 10, reason: 'deadline passed' });
  add(40 * M, 'incident.spread', 'system', 'ec-csirt', null, { incident: 'INC1', spread: 'to-ecuador', sector: 'government', cause: 'miss:I01.classify:ec-csirt' });
  return log;
}

class FakeServer {
  constructor(you) {
    this.you = you;
    this.log = buildLog();
    this.clients = new Set();
    this.now = 41 * M;
    this.wall = Date.now();
    this.speed = 1;
    this.status = 'running';
    this.modes = { 'co-csirt': 'human', 'pe-csirt': 'human', 'ec-csirt': 'simulated' };
    this.scores = {
      'co-csirt': { score: 15, max_score: 40, met: 2, late: 0, missed: 0 },
      'pe-csirt': { score: 0, max_score: 0, met: 0, late: 0, missed: 0 },
      'ec-csirt': { score: 5, max_score: 30, met: 1, late: 0, missed: 1 },
    };
    this.open = {
      'co-csirt': [
        { inject: 'I01', expectation: 'share', action: 'share', deadline: 55 * M },
        { inject: 'I02', expectation: 'escalate', action: 'escalate', deadline: 60 * M },
      ],
      'pe-csirt': [],
      'ec-csirt': [{ inject: 'I01', expectation: 'share', action: 'share', deadline: 55 * M }],
    };
    this.upcoming = [
      { inject: 'I04', title: MSEL[3].title, team: 'co-csirt', at: 80 * M },
      { inject: 'I04', title: MSEL[3].title, team: 'pe-csirt', at: 80 * M },
    ];
    this.releasable = [{ inject: 'I05', title: MSEL[4].title }];
    this.adhoc = 0;
    this.dropBeforeAck = false;
    setInterval(() => this.broadcastStatus(), 1000);
  }

  clock() {
    if (this.status !== 'running') return this.now;
    return Math.min(120 * M, this.now + (Date.now() - this.wall) * 1e6 * this.speed);
  }

  setClock(t) { this.now = t; this.wall = Date.now(); }

  visible(msg) {
    if (this.you.role !== 'trainee') return true;
    const a = msg.event.audience || [];
    return a.includes('*') || a.includes(this.you.team);
  }

  statusMsg() {
    const teams = TEAMS.map((t) => ({
      id: t.id, name: t.name, mode: this.modes[t.id],
      online: { 'co-csirt': ['Juan', 'Ana'], 'pe-csirt': ['Rosa'], 'ec-csirt': [] }[t.id],
      ...this.scores[t.id], open: this.open[t.id],
    }));
    const st = { status: this.status, speed: this.speed, now: this.clock(), duration: 120 * M };
    if (this.you.role === 'trainee') {
      st.teams = teams.filter((t) => t.id === this.you.team);
    } else {
      st.teams = teams;
      st.upcoming = this.upcoming;
      st.releasable = this.releasable;
    }
    return { type: 'status', seq: this.log.length, at: st.now, status: st };
  }

  broadcastStatus() { for (const c of this.clients) c.deliver(this.statusMsg()); }

  attach(ws, since) {
    this.clients.add(ws);
    ws.deliver({ type: 'welcome', exercise: 'ex-demo', you: this.you, seq: this.log.length });
    for (const m of this.log) if (m.seq > since && this.visible(m)) ws.deliver(m);
    ws.deliver({ type: 'caught_up', seq: this.log.length });
    ws.deliver(this.statusMsg());
  }

  detach(ws) { this.clients.delete(ws); }

  append(type, actor, team, audience, data, inject) {
    const seq = this.log.length + 1;
    const at = this.clock();
    const m = { type: 'event', seq, at, event: { seq, at, type, actor, ...(team ? { team } : {}), ...(audience ? { audience } : {}), data }, ...(inject ? { inject } : {}) };
    this.log.push(m);
    for (const c of this.clients) if (this.visible(m)) c.deliver(m);
    return seq;
  }

  receive(ws, msg) {
    const reply = (m) => ws.deliver({ ...m, id: msg.id });
    let seq;
    try {
      if (msg.type === 'jump') {
        const next = Math.min(...this.upcoming.map((u) => u.at));
        if (!isFinite(next)) throw ['conflict', 'no scheduled inject ahead'];
        this.setClock(next);
        seq = this.log.length;
      } else if (msg.type === 'command') {
        seq = this.apply({ ...msg.command, by: { ...this.you } });
      } else {
        throw ['invalid', `unknown message type "${msg.type}"`];
      }
    } catch (e) {
      if (Array.isArray(e)) { reply({ type: 'error', code: e[0], message: e[1] }); return; }
      throw e;
    }
    this.broadcastStatus();
    if (this.dropBeforeAck) {
      this.dropBeforeAck = false;
      ws.serverClose();
      return;
    }
    setTimeout(() => reply({ type: 'ack', seq }), 250);
  }

  apply(c) {
    const me = this.you;
    const label = me.role === 'trainee' ? `trainee:${me.team}:${me.name}` : `${me.role}:${me.name}`;
    const staff = me.role === 'facilitator';
    const needStaff = () => { if (!staff) throw ['forbidden', 'only a facilitator may do this']; };
    const data = (extra) => ({ ...extra, command: c });
    switch (c.type) {
      case 'start': needStaff(); this.status = 'running'; this.wall = Date.now(); return this.append('exercise.started', label, '', ['*'], data({}));
      case 'pause': needStaff(); if (this.status !== 'running') throw ['conflict', 'the exercise is not running']; this.setClock(this.clock()); this.status = 'paused'; return this.append('exercise.paused', label, '', ['*'], data({ text: c.text }));
      case 'resume': needStaff(); if (this.status !== 'paused') throw ['conflict', 'the exercise is not paused']; this.wall = Date.now(); this.status = 'running'; return this.append('exercise.resumed', label, '', ['*'], data({}));
      case 'end': needStaff(); this.setClock(this.clock()); this.status = 'ended'; return this.append('exercise.ended', label, '', ['*'], data({ text: c.text }));
      case 'set_speed': needStaff(); this.setClock(this.clock()); this.speed = c.speed; return this.append('exercise.speed', label, '', ['*'], data({ speed: c.speed }));
      case 'set_mode': needStaff(); this.modes[c.team] = c.mode; return this.append('team.mode', label, c.team, [c.team], data({ mode: c.mode }));
      case 'release_inject': {
        needStaff();
        const teams = c.team ? [c.team] : (this.upcoming.filter((u) => u.inject === c.inject).map((u) => u.team));
        if (!teams.length) throw ['invalid', `${c.inject} is addressed to $team: say which team`];
        let s = this.append('inject.released', label, c.team || '', null, data({ inject: c.inject }));
        for (const t of teams) {
          const m = MSEL.find((x) => x.id === c.inject) || {};
          s = this.append('inject.delivered', 'system', t, [t], { inject: c.inject, severity: m.severity, tlp: 'amber', cause: 'facilitator' },
            { id: c.inject, title: m.title, channel: m.channel, from: 'eltiempo', from_name: 'El Tiempo (newspaper)', severity: m.severity, tlp: 'amber', body: 'A reporter asks whether **ministries were breached** and wants a comment before 14:00.', attachments: [], expectations: [] });
        }
        this.upcoming = this.upcoming.filter((u) => !(u.inject === c.inject && (!c.team || u.team === c.team)));
        this.releasable = this.releasable.filter((u) => u.inject !== c.inject);
        return s;
      }
      case 'skip_inject':
        needStaff();
        this.upcoming = this.upcoming.filter((u) => !(u.inject === c.inject && (!c.team || u.team === c.team)));
        return this.append('inject.skipped', label, c.team || '', null, data({ inject: c.inject, text: c.text }));
      case 'delay_inject':
        needStaff();
        for (const u of this.upcoming) if (u.inject === c.inject && (!c.team || u.team === c.team)) u.at += c.delay;
        return this.append('inject.delayed', label, c.team || '', null, data({ inject: c.inject, delay: c.delay }));
      case 'send_inject': {
        needStaff();
        this.adhoc += 1;
        const id = `adhoc-${this.adhoc}`;
        const a = { ...c.adhoc, id };
        let s = this.append('inject.sent', label, '', null, data({ inject: id, adhoc: a }));
        const to = a.to.includes('all') ? TEAMS.map((t) => t.id) : a.to.filter((t) => !t.startsWith('group:'));
        for (const t of to) {
          s = this.append('inject.delivered', 'system', t, [t], { inject: id, severity: a.severity, tlp: a.tlp || 'amber', cause: 'facilitator' },
            { id, title: a.title, body: a.body, channel: a.channel, from: a.from, from_name: (ACTORS.find((x) => x.id === a.from) || TEAMS.find((x) => x.id === a.from) || {}).name, severity: a.severity, tlp: a.tlp || 'amber', attachments: [], expectations: [] });
        }
        return s;
      }
      case 'note':
        if (me.role !== 'facilitator' && me.role !== 'evaluator') throw ['forbidden', 'only facilitators and evaluators write notes'];
        return this.append('evaluator.note', label, c.team || '', null, data({ inject: c.inject, text: c.text }));
      default: break;
    }
    // Team actions.
    if (me.role !== 'trainee') throw ['forbidden', 'only trainees act for a team'];
    if (this.status !== 'running') throw ['conflict', `the exercise is ${this.status}`];
    const team = me.team;
    if (c.type === 'share') {
      for (const p of c.peers || []) {
        const allowed = (LINKS[team] || {})[p] || [];
        if (!allowed.includes(c.tlp)) throw ['forbidden', `the link with ${p} does not allow TLP:${String(c.tlp).toUpperCase()} (allowed: ${allowed.map((x) => `TLP:${x.toUpperCase()}`).join(', ')})`];
      }
    }
    const audience = c.type === 'share' ? [team, ...c.peers] : [team];
    const d = { inject: c.inject, action: c.type };
    for (const k of ['category', 'severity', 'target', 'peers', 'tlp', 'text']) if (c[k] !== undefined) d[k] = c[k];
    let s = this.append('team.action', label, team, audience, data(d));
    const open = this.open[team] || [];
    const i = open.findIndex((o) => o.inject === c.inject && o.action === c.type);
    if (i >= 0) {
      const o = open[i];
      open.splice(i, 1);
      const pts = (INJECTS[o.inject].expectations.find((x) => x.id === o.expectation) || {}).points || 0;
      this.scores[team].score += pts;
      this.scores[team].met += 1;
      s = this.append('expectation.met', 'system', team, [team], { inject: c.inject, expectation: o.expectation, deadline: o.deadline, points: pts, max_points: pts });
    }
    return s;
  }

  /** drop closes every connection, as a network failure would. */
  drop() { for (const c of [...this.clients]) c.serverClose(); }
}

class FakeWebSocket {
  constructor(url, server) {
    this.server = server;
    this.readyState = 0;
    const since = Number(new URL(url, location.href).searchParams.get('since') || 0);
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      if (this.onopen) this.onopen({});
      server.attach(this, since);
    }, 20);
  }

  deliver(obj) {
    if (this.readyState !== 1) return;
    const data = JSON.stringify(obj);
    if (this.onmessage) this.onmessage({ data });
  }

  send(frame) {
    if (this.readyState !== 1) throw new Error('not open');
    const msg = JSON.parse(frame);
    setTimeout(() => { if (this.readyState === 1) this.server.receive(this, msg); }, 60);
  }

  close() { this.serverClose(); }

  serverClose() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.server.detach(this);
    setTimeout(() => { if (this.onclose) this.onclose({ code: 1006 }); }, 0);
  }
}

let server = null;

/** session returns the demo session for a page ("facilitator", "trainee", "observer"). */
export function session(page) {
  if (page === 'trainee') return { exercise: 'ex-demo', role: 'trainee', team: 'co-csirt', name: 'Ana' };
  if (page === 'observer') return { exercise: 'ex-demo', role: 'evaluator', team: '', name: 'Eva' };
  return { exercise: 'ex-demo', role: 'facilitator', team: '', name: 'Maria' };
}

/** exercise returns GET /api/exercises/{id} as the session's role sees it. */
export function exercise(s) {
  const you = { role: s.role, team: s.team, name: s.name };
  server = new FakeServer(you);
  window.cmesimDemo = server;
  const ex = {
    id: 'ex-demo', title: 'Phishing wave against two ministries',
    description: 'A spear-phishing campaign hits the ministry of finance of one country and then a neighbour.',
    duration: 120 * M, start_time: '2026-03-10T09:00:00-05:00', languages: ['en', 'es'],
    objectives: [
      { id: 'O1', text: 'Detect and triage the phishing campaign within 30 minutes.', capability: 'detection' },
      { id: 'O2', text: 'Share indicators of compromise with peer CSIRTs quickly.', capability: 'information_sharing' },
    ],
    teams: TEAMS, actors: ACTORS, you,
  };
  if (s.role === 'trainee') {
    ex.peers = Object.entries(LINKS[s.team] || {}).map(([team, tlp]) => ({ team, name: TEAMS.find((t) => t.id === team).name, tlp }));
  } else {
    ex.msel = MSEL;
  }
  return ex;
}

/** createWebSocket is the socket factory for ExerciseSocket in demo mode. */
export function createWebSocket(url) {
  return new FakeWebSocket(url, server);
}
