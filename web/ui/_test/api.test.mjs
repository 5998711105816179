// Tests of js/api.js's loadHistory against a stand-in for fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, loadHistory, ApiError, HISTORY_RETRIES } from '../js/api.js';

/** answering replaces fetch with one that gives the statuses in turn (200 with a page), and records the paths asked. */
function answering(...statuses) {
  const asked = [];
  globalThis.fetch = async (path) => {
    asked.push(path);
    const status = statuses.shift();
    const body = status === 200 ? { events: [], next: 0 } : { error: { code: 'too_many_requests', message: 'too many requests; slow down' } };
    return { ok: status === 200, status, statusText: '', text: async () => JSON.stringify(body) };
  };
  return asked;
}

test('a history request refused for asking too fast is made again after a wait', async () => {
  const asked = answering(429, 429, 200);
  const waits = [];
  const page = await loadHistory('x y', 500, 100, { wait: async (ms) => { waits.push(ms); } });
  assert.deepEqual(page, { events: [], next: 0 });
  assert.equal(asked.length, 3);
  assert.equal(asked[0], '/api/exercises/x%20y/events?before=500&limit=100');
  assert.deepEqual(waits, [1000, 1000]);
});

test('a history request gives up after a few refusals, and at once on other errors', async () => {
  answering(...Array(HISTORY_RETRIES + 1).fill(429), 200);
  await assert.rejects(loadHistory('x', 5, 1, { wait: async () => {} }), (err) => err instanceof ApiError && err.status === 429);
  const asked = answering(403, 200);
  await assert.rejects(loadHistory('x', 5, 1, { wait: async () => assert.fail('waited after a 403') }), (err) => err instanceof ApiError && err.status === 403);
  assert.equal(asked.length, 1);
});

test('a request asks in the page language, and in none when the page has no language', async () => {
  const headers = [];
  globalThis.fetch = async (_path, init) => {
    headers.push(init.headers);
    return { ok: true, status: 200, statusText: '', text: async () => '[]' };
  };
  globalThis.document = { documentElement: { lang: 'pt-BR' } };
  try {
    await api('/api/library');
    globalThis.document.documentElement.lang = '';
    await api('/api/library');
  } finally {
    delete globalThis.document;
  }
  assert.equal(headers[0]['Accept-Language'], 'pt-BR');
  assert.equal('Accept-Language' in headers[1], false);
});
