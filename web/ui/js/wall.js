// The news and social wall: every delivered news and social_media inject
// as a post (outlet, author, time, reach and engagement), newest first, in
// the team console and the staff consoles. Trainees see the posts their
// team received; staff see each post once with the teams it reached, and
// the facilitator can post live (send_inject on a wall channel). Every
// text goes through t() (keys wall.*).
//
// Test hooks: #wall (data-count), #wall-list article.wall-post
// [data-inject][data-channel][data-lang], .wall-outlet, .wall-author,
// .wall-reach, .wall-engagement, .wall-teams, #wall-lang-toggle
// (aria-pressed), and the facilitator's #wall-post-form with #wall-submit.
import { h, option, replace, placeInOrder } from './dom.js';
import { announce, pending } from './page.js';
import { fmtT, fmtTShort, channelLabel, CHANNELS } from './format.js';
import { renderMarkdown } from './markdown.js';
import { scenarioDate, fmtInZone, fmtAtOffset, offsetMinutes } from './scenclock.js';
import { i18n, t, contentLang } from './i18n.js';

/** WALL_CHANNELS are the channels whose injects are wall posts. */
export const WALL_CHANNELS = ['news', 'social_media'];

/* ---------- pure functions ---------- */

/** wallPostOf turns an inject.delivered message of a wall channel into a post record, or null. */
export function wallPostOf(msg) {
  const ev = (msg && msg.event) || {};
  const c = (msg && msg.inject) || {};
  if (ev.type !== 'inject.delivered' || !WALL_CHANNELS.includes(c.channel)) return null;
  const w = c.wall || {};
  return {
    id: c.id || (ev.data || {}).inject,
    seq: ev.seq ?? msg.seq,
    at: ev.at ?? msg.at ?? 0,
    teams: ev.team ? [ev.team] : [],
    channel: c.channel,
    title: c.title || '',
    body: c.body || '',
    from: c.from || '',
    fromName: c.from_name || c.from || '',
    translations: c.translations || {},
    outlet: w.outlet || '',
    author: w.author || '',
    reach: w.reach || 0,
    engagement: w.engagement || 0,
  };
}

/** mergePost adds a delivery of a post already on the wall: staff see one post with every team it reached. */
export function mergePost(posts, p) {
  const old = posts.get(p.id);
  if (!old) { posts.set(p.id, p); return true; }
  for (const team of p.teams) if (!old.teams.includes(team)) old.teams.push(team);
  return false;
}

/** postText is a post's title, body and outlet in lang when the scenario translates it, else the original. */
export function postText(p, lang, original) {
  const tr = lang !== original && p.translations && p.translations[lang];
  return {
    title: (tr && tr.title) || p.title,
    body: (tr && tr.body) || p.body,
    source: p.outlet || (tr && tr.from_name) || p.fromName,
    lang: tr ? lang : original,
  };
}

/** compact formats a count for the locale in short form ("85 K", "1,2 mil"). */
export function compact(n, tag) {
  return new Intl.NumberFormat(tag, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/* ---------- the panel ---------- */

export class WallPanel {
  /**
   * ctx is the page context; host the element the panel fills. With
   * canPost the facilitator's post form is offered.
   */
  constructor(ctx, host, { canPost = false } = {}) {
    this.ctx = ctx;
    this.host = host;
    this.staff = ctx.you.role !== 'trainee';
    this.original = (ctx.exercise.language || 'en').toLowerCase();
    this.showOriginal = false;
    this.posts = new Map();
    // id → the post's element as drawn, in the language drawn, and its
    // "reached" line: a post is drawn once (per language), so a new post,
    // or a post reaching another team, leaves the others alone (text
    // someone is selecting to copy, a link they are pressing).
    this.drawn = new Map();
    this.live = false;
    this.list = h('ol', { id: 'wall-list', class: 'wall-list' });
    this.empty = h('p', { id: 'wall-empty', class: 'muted' }, t('wall.empty'));
    this.toggle = h('button', { type: 'button', id: 'wall-lang-toggle', class: 'btn btn-small', 'aria-pressed': 'false', hidden: true },
      t('wall.show_original'));
    this.toggle.addEventListener('click', () => {
      this.showOriginal = !this.showOriginal;
      this.toggle.setAttribute('aria-pressed', String(this.showOriginal));
      this.render();
    });
    host.id = 'wall';
    host.classList.add('wall-panel');
    host.setAttribute('aria-labelledby', 'wall-h');
    replace(host,
      h('div', { class: 'panel-head' },
        h('h2', { id: 'wall-h' }, t('wall.heading')),
        this.toggle),
      h('p', { class: 'hint' }, t(this.staff ? 'wall.hint_staff' : 'wall.hint')),
      canPost ? this.postForm() : null,
      this.list, this.empty);
    ctx.socket.on('event', (m) => this.onEvent(m));
    ctx.socket.on('caught_up', () => { this.live = true; });
    this.render();
  }

  onEvent(m) {
    const p = wallPostOf(m);
    if (!p || !p.id) return;
    if (!this.staff && p.teams.length && p.teams[0] !== this.ctx.you.team) return;
    const fresh = mergePost(this.posts, p);
    this.render();
    if (fresh && this.live) {
      const tx = postText(p, this.lang(p), this.original);
      announce(t('wall.announce', { source: tx.source, title: tx.title }));
    }
  }

  /** lang is the language a post is shown in: the page's when translated and wanted. */
  lang(p) {
    return this.showOriginal ? this.original : i18n.lang;
  }

  /** when formats a post's time: T+ and the scenario's calendar time (the team's zone for trainees). */
  when(p) {
    const date = scenarioDate(this.ctx.exercise.start_time, p.at);
    if (!date) return fmtTShort(p.at);
    const me = !this.staff && this.ctx.dir.teams.get(this.ctx.you.team);
    const cal = me && me.timezone ? fmtInZone(date, me.timezone) : fmtAtOffset(date, offsetMinutes(this.ctx.exercise.start_time));
    return `${fmtTShort(p.at)} · ${cal}`;
  }

  render() {
    const posts = [...this.posts.values()].sort((a, b) => b.seq - a.seq);
    this.host.dataset.count = String(posts.length);
    this.empty.hidden = posts.length > 0;
    this.toggle.hidden = i18n.lang === this.original || !posts.some((p) => p.translations && p.translations[i18n.lang]);
    placeInOrder(this.list, posts.map((p) => {
      const lang = this.lang(p);
      let d = this.drawn.get(p.id);
      if (!d || d.lang !== lang) {
        d = { lang, ...this.item(p) };
        this.drawn.set(p.id, d);
      } else if (d.reached) {
        const text = this.reached(p);
        if (d.reached.textContent !== text) d.reached.textContent = text;
      }
      return d.el;
    }));
  }

  /** reached lists, for staff, the teams a post reached. */
  reached(p) {
    return t('wall.reached', { teams: p.teams.map((id) => this.ctx.dir.teamName(id)).join(', ') });
  }

  /** item draws post p: its list element, and for staff its "reached" line. */
  item(p) {
    const tx = postText(p, this.lang(p), this.original);
    const social = p.channel === 'social_media';
    const titleId = `wall-title-${p.id}`;
    const figures = [];
    if (p.reach) figures.push(h('span', { class: 'wall-reach', dataset: { value: p.reach }, title: t('wall.reach_exact', { count: p.reach }) }, t('wall.reach', { n: compact(p.reach, i18n.tag), count: p.reach })));
    if (p.engagement) figures.push(h('span', { class: 'wall-engagement', dataset: { value: p.engagement }, title: t('wall.engagement_exact', { count: p.engagement }) }, t('wall.engagement', { n: compact(p.engagement, i18n.tag), count: p.engagement })));
    const title = contentLang(h('h3', { class: 'wall-title', id: titleId }, tx.title), tx.lang);
    const body = contentLang(h('div', { class: 'md-body wall-body' }, renderMarkdown(tx.body)), tx.lang);
    const reached = this.staff ? h('span', { class: 'wall-teams' }, this.reached(p)) : null;
    const el = h('li', null, h('article', { class: `wall-post wall-${social ? 'social' : 'news'}`, 'aria-labelledby': titleId, dataset: { inject: p.id, channel: p.channel, lang: tx.lang } },
      h('header', { class: 'wall-head' },
        h('span', { class: 'wall-icon', 'aria-hidden': 'true' }, (CHANNELS[p.channel] || {}).icon || '•'),
        h('span', { class: 'wall-source' },
          h('strong', { class: 'wall-outlet' }, tx.source),
          p.author ? h('span', { class: 'wall-author' }, p.author) : null),
        h('span', { class: 'sr-only' }, ` (${channelLabel(p.channel)})`),
        h('time', { class: 'wall-time', title: fmtT(p.at) }, this.when(p))),
      title,
      body,
      figures.length || this.staff ? h('footer', { class: 'wall-foot' },
        figures,
        reached) : null));
    return { el, reached };
  }

  /* ---------- the facilitator's live post ---------- */

  postForm() {
    const { dir } = this.ctx;
    const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id, class: 'field-label' }, label), control);
    const channel = h('select', { id: 'wall-channel' }, WALL_CHANNELS.map((c) => option(c, channelLabel(c))));
    const media = dir.actorList().filter((a) => a.kind === 'media' || a.kind === 'public');
    const from = h('select', { id: 'wall-from' }, (media.length ? media : dir.actorList()).map((a) => option(a.id, a.name || a.id)));
    const outlet = h('input', { id: 'wall-outlet', type: 'text', maxlength: '80', autocomplete: 'off' });
    const author = h('input', { id: 'wall-author', type: 'text', maxlength: '80', autocomplete: 'off', placeholder: '@…' });
    const title = h('input', { id: 'wall-title', type: 'text', maxlength: '200', required: true, autocomplete: 'off' });
    const body = h('textarea', { id: 'wall-body', rows: '3', maxlength: '32768', required: true });
    const countries = [...new Set(dir.teamList().map((tm) => tm.country).filter(Boolean))].sort();
    const to = h('select', { id: 'wall-to' },
      option('all', t('wall.to_all')),
      countries.length > 1 ? h('optgroup', { label: t('wall.to_country') }, countries.map((c) => option(`country:${c}`, countryName(c)))) : null,
      h('optgroup', { label: t('wall.to_team') }, dir.teamList().map((tm) => option(tm.id, tm.name || tm.id))));
    const reach = h('input', { id: 'wall-reach', type: 'number', min: '0', step: '1', inputmode: 'numeric' });
    const engagement = h('input', { id: 'wall-engagement', type: 'number', min: '0', step: '1', inputmode: 'numeric' });
    const submit = h('button', { type: 'submit', id: 'wall-submit', class: 'btn btn-primary' }, t('wall.post'));
    const err = h('p', { class: 'form-error', hidden: true, 'aria-live': 'polite' });
    const form = h('form', { id: 'wall-post-form', class: 'stack wall-form', novalidate: true },
      h('div', { class: 'row' }, field('wall-channel', t('wall.channel'), channel), field('wall-to', t('wall.to'), to)),
      h('div', { class: 'row' }, field('wall-from', t('wall.from'), from), field('wall-outlet', t('wall.outlet'), outlet), field('wall-author', t('wall.author'), author)),
      field('wall-title', t('wall.title'), title),
      field('wall-body', t('wall.body'), body),
      h('div', { class: 'row' }, field('wall-reach', t('wall.reach_label'), reach), field('wall-engagement', t('wall.engagement_label'), engagement)),
      err, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const fail = (msg, el) => { err.textContent = msg; err.hidden = false; el.focus(); };
      if (!title.value.trim()) return fail(t('wall.need_title'), title);
      if (!body.value.trim()) return fail(t('wall.need_body'), body);
      err.hidden = true;
      const wall = {};
      if (outlet.value.trim()) wall.outlet = outlet.value.trim();
      if (author.value.trim()) wall.author = author.value.trim();
      if (Number(reach.value) > 0) wall.reach = Math.floor(Number(reach.value));
      if (Number(engagement.value) > 0) wall.engagement = Math.floor(Number(engagement.value));
      const recipients = to.value.startsWith('country:')
        ? dir.teamList().filter((tm) => tm.country === to.value.slice(8)).map((tm) => tm.id)
        : [to.value];
      const adhoc = { title: title.value.trim(), body: body.value.trim(), channel: channel.value, from: from.value, to: recipients, severity: 'medium', tlp: 'clear', wall };
      pending(submit, () => this.ctx.socket.command({ type: 'send_inject', adhoc }), { errorEl: err, socket: this.ctx.socket, doneLabel: t('wall.posted') })
        .then((res) => { if (res) { title.value = ''; body.value = ''; } });
    });
    return h('details', { class: 'wall-compose' }, h('summary', null, t('wall.compose')), form);
  }
}

/** countryName names an ISO country code in the reader's language ("Colombia"). */
function countryName(code) {
  try {
    return new Intl.DisplayNames([i18n.tag], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

/** mountWall fills the page's #wall section (created in host when missing). Call it before ctx.socket.start(). */
export function mountWall(ctx, { canPost = false } = {}) {
  let host = document.getElementById('wall');
  if (!host) {
    host = h('section', { class: 'panel' });
    (document.querySelector('.col-side') || document.querySelector('main')).prepend(host);
  }
  return new WallPanel(ctx, host, { canPost });
}
