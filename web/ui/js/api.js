// JSON over HTTP with the server's error shape:
// {"error": {"code": "...", "message": "..."}} (+ "problems" for bad scenarios).

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || 'error';
    this.body = body;
    const p = body && (body.problems || (body.error && body.error.problems));
    this.problems = Array.isArray(p) ? p : [];
  }
}

/**
 * api fetches path and returns the decoded JSON body (or text when the
 * answer is not JSON). It throws ApiError for non-2xx answers and for
 * network failures (status 0, code "network").
 */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' }, signal };
  // Ask in the page's language (the reader's choice, on <html lang>), so
  // that what the server words or picks for the reader follows the picker
  // rather than the browser's settings.
  const lang = globalThis.document?.documentElement?.lang;
  if (lang) init.headers['Accept-Language'] = lang;
  if (body !== undefined || (method !== 'GET' && method !== 'HEAD')) {
    // The server refuses a state change that is not declared JSON (a
    // defence against cross-site requests), even one without a body.
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'Cannot reach the server.');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!res.ok) {
    const e = data && typeof data === 'object' ? data.error : null;
    const code = e && e.code ? e.code : statusCode(res.status);
    const message = e && e.message ? e.message : (typeof data === 'string' && data.trim() ? data.trim() : `${res.status} ${res.statusText}`);
    throw new ApiError(res.status, code, message, data && typeof data === 'object' ? data : null);
  }
  return data;
}

function statusCode(status) {
  return ({ 400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 429: 'too_many_requests' })[status] || 'internal';
}

export const getJSON = (path) => api(path);
export const postJSON = (path, body) => api(path, { method: 'POST', body });

/** reportURL returns the report download path of exercise id, in lang when given. */
export function reportURL(id, format, lang) {
  const q = lang ? `&lang=${encodeURIComponent(lang)}` : '';
  return `/api/exercises/${encodeURIComponent(id)}/report?format=${encodeURIComponent(format)}${q}`;
}

/**
 * loadHistory returns the events before seq `before` that the session may
 * see, newest first, as {events: [event messages], next}; next is the
 * before of the next page, 0 at the first event. A request refused for
 * asking too fast (429) is made again a second later, up to
 * HISTORY_RETRIES times; `wait` (ms) => promise is for tests.
 */
export async function loadHistory(id, before, limit, { wait = sleep } = {}) {
  const path = `/api/exercises/${encodeURIComponent(id)}/events?before=${before}&limit=${limit}`;
  for (let attempt = 0; ; attempt++) {
    try {
      // A request that hangs fails after a while, so the button can be tried again.
      return await api(path, { signal: AbortSignal.timeout(HISTORY_TIMEOUT) });
    } catch (err) {
      // Past a budget of requests (the session's history requests, 20 a second; its address's), wait for it to refill.
      if (!(err instanceof ApiError) || err.status !== 429 || attempt === HISTORY_RETRIES) throw err;
      await wait(HISTORY_RETRY_WAIT);
    }
  }
}

/** HISTORY_TIMEOUT is how long (ms) a request for older events may take. */
const HISTORY_TIMEOUT = 30000;

/** HISTORY_RETRIES is how often a request refused for asking too fast is made again, HISTORY_RETRY_WAIT ms later. */
export const HISTORY_RETRIES = 3;
const HISTORY_RETRY_WAIT = 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** appendixURL is the link to an exercise's whole event log as CSV (the report's appendix, staff only). */
export function appendixURL(id, lang) {
  const q = lang ? `?lang=${encodeURIComponent(lang)}` : '';
  return `/api/exercises/${encodeURIComponent(id)}/report/appendix${q}`;
}
