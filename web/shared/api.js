// The REST client: keeps the login in storage, sends the bearer token and, when the server
// answers 401, refreshes the pair once and retries, so a 15-minute access token never shows.

const KEY = 'uniqchat.session';

/** The stored session: {access_token, refresh_token, user} or null. */
export function session() {
  try {
    return JSON.parse(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}

function store(s) {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
}

/** An API error with the server's `code`, message and per-field messages. */
export class ApiError extends Error {
  constructor(status, body) {
    const err = body?.error ?? {};
    super(err.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = err.code ?? 'http_error';
    this.fields = err.fields ?? [];
  }
}

async function raw(method, path, token, body) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

export async function login(email, password) {
  const s = await raw('POST', '/api/auth/login', null, { email, password });
  store({ access_token: s.access_token, refresh_token: s.refresh_token, user: s.user });
  return s;
}

// Several calls may hit 401 at once; they share one refresh (a refresh token works once).
let refreshing = null;

/** Trades the refresh token for a new pair; clears the session if that fails. */
export function refresh() {
  refreshing ??= (async () => {
    const s = session();
    if (!s?.refresh_token) throw new ApiError(401, null);
    try {
      const n = await raw('POST', '/api/auth/refresh', null, { refresh_token: s.refresh_token });
      store({ ...s, access_token: n.access_token, refresh_token: n.refresh_token, user: n.user ?? s.user });
      return n.access_token;
    } catch (e) {
      if (e.status === 401) store(null);
      throw e;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export async function logout() {
  const s = session();
  store(null);
  if (s?.refresh_token) await raw('POST', '/api/auth/logout', null, { refresh_token: s.refresh_token }).catch(() => {});
}

/** Calls the API as the logged-in user. */
export async function api(method, path, body) {
  const token = session()?.access_token;
  try {
    return await raw(method, path, token, body);
  } catch (e) {
    if (e.status !== 401 || !session()?.refresh_token) throw e;
    return raw(method, path, await refresh(), body);
  }
}
