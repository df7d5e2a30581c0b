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
    // `tenant_required` at sign-in: the tenants to choose from.
    this.tenants = err.tenants ?? [];
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

export async function login(email, password, tenant) {
  const body = tenant ? { email, password, tenant } : { email, password };
  const s = await raw('POST', '/api/auth/login', null, body);
  // Two-factor sign-in on: no session yet, the caller asks for a code (verifyTwoFactor).
  if (s.two_factor_required) return s;
  store({ access_token: s.access_token, refresh_token: s.refresh_token, user: s.user });
  return s;
}

/** Single sign-on: trades the one-time code from the `#sso=` fragment like a login. */
export async function ssoExchange(code) {
  const s = await raw('POST', '/api/auth/sso/exchange', null, { code });
  if (s.two_factor_required) return s;
  store({ access_token: s.access_token, refresh_token: s.refresh_token, user: s.user });
  return s;
}

/** Whether a tenant offers single sign-on: {enabled, display_name, start_url}. */
export function ssoButton(tenant) {
  return raw('GET', `/api/auth/sso?tenant=${encodeURIComponent(tenant)}`);
}

const TENANT_KEY = 'uniqchat.tenant';

/** The tenant the login page offers single sign-on for: `?tenant=` or the last one signed in to. */
export function knownTenant() {
  return new URLSearchParams(location.search).get('tenant') || localStorage.getItem(TENANT_KEY);
}

export function rememberTenant(id) {
  if (id) localStorage.setItem(TENANT_KEY, id);
}

/** Second sign-in step: `proof` is `{code}` or `{recovery_code}`. */
export async function verifyTwoFactor(challenge, proof) {
  const s = await raw('POST', '/api/auth/2fa/verify', null, { challenge, ...proof });
  store({ access_token: s.access_token, refresh_token: s.refresh_token, user: s.user });
  return s;
}

/** Whether a JWT access token expires within the next 30 seconds (or cannot be read). */
export function expiresSoon(jwt) {
  try {
    const payload = JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return payload.exp * 1000 < Date.now() + 30_000;
  } catch {
    return true;
  }
}

// Refresh tokens work once, and presenting a used one again ends the whole login (every tab).
// So calls in this tab share one refresh, and tabs take turns through a Web Lock. Storage can
// reach another tab later than the lock does, so the tab that spends a refresh token also holds a
// marker lock named after it: a tab that sees the marker waits for the new pair to arrive.
let refreshing = null;

async function fingerprint(token) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function spentElsewhere(token) {
  const { held = [] } = await navigator.locks.query();
  const name = `uniqchat-spent:${await fingerprint(token)}`;
  return held.some((l) => l.name === name);
}

/** Marks a refresh token as spent for as long as this tab lives. */
async function markSpent(token) {
  const name = `uniqchat-spent:${await fingerprint(token)}`;
  await new Promise((granted) => navigator.locks.request(name, () => (granted(), new Promise(() => {}))));
}

/** Resolves with the session once another tab's new pair has reached this tab's storage. */
function pairReplacing(token, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const s = session();
      if (s?.refresh_token && s.refresh_token !== token) return resolve(s);
      if (Date.now() - started > timeoutMs) return reject(new ApiError(401, null));
      setTimeout(check, 25);
    };
    check();
  });
}

async function trade(stale) {
  const s = session();
  if (!s?.refresh_token) throw new ApiError(401, null);
  if (s.access_token && s.access_token !== stale && !expiresSoon(s.access_token)) return s.access_token;
  if (navigator.locks && (await spentElsewhere(s.refresh_token))) return (await pairReplacing(s.refresh_token)).access_token;
  try {
    const n = await raw('POST', '/api/auth/refresh', null, { refresh_token: s.refresh_token });
    store({ ...s, access_token: n.access_token, refresh_token: n.refresh_token, user: n.user ?? s.user });
    if (navigator.locks) await markSpent(s.refresh_token);
    return n.access_token;
  } catch (e) {
    if (e.status === 401) store(null);
    throw e;
  }
}

/** A valid access token, trading the refresh token if `stale` (the one that failed) is current. */
export function refresh(stale = session()?.access_token) {
  const turn = () => trade(stale);
  refreshing ??= (navigator.locks ? navigator.locks.request('uniqchat-refresh', turn) : turn()).finally(() => {
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
    return raw(method, path, await refresh(token), body);
  }
}
