// Tests of the pure functions of js/wall.js (no DOM needed): run with
// `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wallPostOf, mergePost, postText, compact } from '../js/wall.js';

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
