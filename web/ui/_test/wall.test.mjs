// Tests of js/wall.js: its pure functions, and the panel over the DOM
// stand-in (fakedom.mjs). Run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wallPostOf, mergePost, postText, compact } from '../js/wall.js';
import { Directory } from '../js/model.js';
import { i18n } from '../js/i18n.js';
import { readFileSync } from 'node:fs';
import { installFakeDOM } from './fakedom.mjs';

/** delivered builds an inject.delivered message as the server sends it. */
function delivered(seq, team, inject) {
  return { type: 'event', seq, at: 300e9, event: { seq, at: 300e9, type: 'inject.delivered', team, data: { inject: inject.id } }, inject };
}

const story = {
  id: 'W01', channel: 'news', title: 'Hackers paralyse the grid operator', body: 'Body', from: 'cronica', from_name: 'La Crónica Andina',
  translations: { es: { title: 'Hackers paralizan al operador', body: 'Cuerpo', from_name: 'La Crónica Andina' } },
  wall: { author: 'Redacción', reach: 85000, engagement: 1200 },
};

test('wallPostOf keeps news and social posts and leaves other injects out', () => {
  const p = wallPostOf(delivered(7, 'co-csirt', story));
  assert.equal(p.id, 'W01');
  assert.deepEqual(p.teams, ['co-csirt']);
  assert.equal(p.reach, 85000);
  assert.equal(p.author, 'Redacción');
  assert.equal(wallPostOf(delivered(8, 'co-csirt', { ...story, id: 'E1', channel: 'email' })), null);
  assert.equal(wallPostOf({ type: 'event', event: { type: 'team.action' } }), null);
});

test('mergePost shows a post once with every team it reached', () => {
  const posts = new Map();
  assert.equal(mergePost(posts, wallPostOf(delivered(7, 'co-csirt', story))), true);
  assert.equal(mergePost(posts, wallPostOf(delivered(8, 'co-grid', story))), false);
  assert.deepEqual(posts.get('W01').teams, ['co-csirt', 'co-grid']);
  assert.equal(posts.get('W01').seq, 7);
});

test('postText uses the translation when there is one, the outlet before the sender', () => {
  const p = wallPostOf(delivered(7, 'co-csirt', story));
  assert.deepEqual(postText(p, 'es', 'en'), { title: 'Hackers paralizan al operador', body: 'Cuerpo', source: 'La Crónica Andina', lang: 'es' });
  assert.equal(postText(p, 'pt', 'en').lang, 'en');
  assert.equal(postText({ ...p, outlet: 'Radio Nacional' }, 'en', 'en').source, 'Radio Nacional');
});

test('compact formats counts for the locale', () => {
  assert.equal(compact(85000, 'en'), '85K');
  assert.equal(compact(1200, 'en'), '1.2K');
  assert.notEqual(compact(1200, 'es'), '1.2K');
});

test('a post reaching another team, or a new post, leaves the posts drawn in place', async () => {
  const body = installFakeDOM();
  const { WallPanel } = await import('../js/wall.js');
  i18n.catalogs.set('en', JSON.parse(readFileSync(new URL('../../../internal/i18n/catalog/en.json', import.meta.url), 'utf8')));
  let onEvent;
  const ctx = {
    you: { role: 'facilitator' },
    exercise: { language: 'en', start_time: '2026-05-12T09:00:00-05:00' },
    dir: new Directory({ teams: [{ id: 'co-csirt', name: 'colCERT' }, { id: 'co-grid', name: 'XM' }] }),
    socket: { on: (type, fn) => { if (type === 'event') onEvent = fn; } },
  };
  const host = document.createElement('section');
  body.appendChild(host);
  const wall = new WallPanel(ctx, host);
  onEvent(delivered(7, 'co-csirt', story));
  const [first] = wall.list.children;
  const teamsLine = (li) => {
    const found = [];
    const walk = (e) => { if (e.className === 'wall-teams') found.push(e); e.children.forEach(walk); };
    walk(li);
    return found[0];
  };
  onEvent(delivered(8, 'co-grid', story));
  assert.equal(wall.list.children.length, 1);
  assert.equal(wall.list.children[0], first, 'the post was drawn again for another team');
  assert.match(teamsLine(first).textContent, /colCERT, XM/);
  onEvent(delivered(9, 'co-csirt', { ...story, id: 'W02', title: 'Second story' }));
  assert.equal(wall.list.children.length, 2);
  assert.equal(wall.list.children[1], first, 'the older post was drawn again under the new one');
});
