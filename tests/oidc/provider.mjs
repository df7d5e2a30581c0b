// A real OpenID Connect provider (the `oidc-provider` package) for the single sign-on tests.
//
//   node provider.mjs '<config JSON>'
//
// config: { clients: [{ client_id, client_secret, redirect_uris }],
//           accounts: { "<login>": { email, email_verified, name } } }
// Listens on a free 127.0.0.1 port and prints `READY <issuer>` once it answers.
// Its sign-in page (GET /interaction/<uid>) is a plain form: a login name, no password;
// POST /interaction/<uid>/login with `login=<name>` signs in as that account and consents
// to the scopes asked for, so a test can drive it with any HTTP client or a browser.

import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2] ?? '{}');
const accounts = config.accounts ?? {};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: (config.clients ?? []).map((c) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...c,
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Claims in the ID token itself, as most providers do.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: account.email_verified, name: account.name };
        },
      };
    },
  });
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    const m = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET' && !m[2]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><title>Test provider sign-in</title>
<h1>Test OpenID provider</h1><p>Client: ${details.params.client_id}</p>
<form method="post" action="/interaction/${details.uid}/login">
<label>Login <input name="login" autofocus></label> <button type="submit">Continue</button></form>`);
        return;
      }
      if (req.method === 'POST' && m[2]) {
        const body = await new Promise((resolve) => {
          let data = '';
          req.on('data', (c) => { data += c; });
          req.on('end', () => resolve(new URLSearchParams(data)));
        });
        const accountId = body.get('login');
        if (!accounts[accountId]) {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end('unknown login');
          return;
        }
        const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
        grant.addOIDCScope(details.params.scope);
        const grantId = await grant.save();
        await provider.interactionFinished(req, res,
          { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
        return;
      }
      res.writeHead(405).end();
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(e));
    }
  });
  console.log(`READY ${issuer}`);
});
