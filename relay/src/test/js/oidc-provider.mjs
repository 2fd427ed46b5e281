// A real OpenID provider (oidc-provider) for the Java tests, driven by OidcTestProvider.java.
//
// Usage: node oidc-provider.mjs <config.json>, config:
//   { port, jwks: {keys: [private JWKs]}, accessTokenTtl (s),
//     users: {<accountId>: {roles, groups, password?, id_token_roles?}},
//     clients: {<svc client id>: {roles}}            (optional)
//     dashboardClient: {client_id, redirect_uris, client_secret?}  (optional) }
//
// Issuer http://127.0.0.1:<port>. Client credentials clients svc-rs256, svc-es256, svc-es384,
// svc-es512, svc-eddsa (secret "secret") get at+jwt access tokens signed with the first key of their
// algorithm; resource urn:fluxer gives aud "fluxer", urn:fluxer-ops gives aud "fluxer-ops".
// The dashboard client uses the authorization code flow with PKCE; its login page accepts the
// users of the config (and their password when one is set), consent is granted without a page.
// GET /__test/stats answers {"jwks": <JWKS requests since start>}.
// Prints {"ready":true,"issuer":...} on stdout once listening.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const users = config.users ?? {};
const svcRoles = config.clients ?? {};
const ttl = config.accessTokenTtl ?? 300;

const AUDIENCES = { 'urn:fluxer': 'fluxer', 'urn:fluxer-ops': 'fluxer-ops' };
const SVC_ALGS = { 'svc-rs256': 'RS256', 'svc-es256': 'ES256', 'svc-es384': 'ES384', 'svc-es512': 'ES512', 'svc-eddsa': 'EdDSA' };
const dashboard = config.dashboardClient;

const clients = Object.keys(SVC_ALGS).map((client_id) => ({
  client_id,
  client_secret: 'secret',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
}));
if (dashboard) {
  clients.push({
    client_id: dashboard.client_id,
    redirect_uris: dashboard.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...(dashboard.client_secret
      ? { client_secret: dashboard.client_secret }
      : { token_endpoint_auth_method: 'none' }),
  });
}

function roleClaims(roles = [], groups = undefined) {
  return { roles, realm_access: { roles }, ...(groups ? { groups } : {}) };
}

const provider = new Provider(issuer, {
  clients,
  jwks: config.jwks,
  cookies: { keys: ['fluxer-test-cookie-key'] },
  // the id_token carries the scope's claims (roles, groups) even when an access token is issued too
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'roles', 'groups', 'realm_access'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  ttl: {
    AccessToken: ttl, ClientCredentials: ttl, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600,
  },
  async findAccount(ctx, sub) {
    const user = users[sub];
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: sub,
          preferred_username: sub,
          email: `${sub}@example.test`,
          email_verified: true,
          // id_token_roles: false keeps roles out of the ID token (and userinfo), as Keycloak does by default
          ...(user.id_token_roles === false ? {} : roleClaims(user.roles ?? [], user.groups ?? [])),
        };
      },
    };
  },
  async extraTokenClaims(ctx, token) {
    if (token.accountId) {
      const user = users[token.accountId] ?? {};
      return roleClaims(user.roles ?? [], user.groups ?? []);
    }
    return roleClaims(svcRoles[token.clientId]?.roles ?? []);
  },
  formats: {
    customizers: {
      // the dashboard's one access token serves both the client API and the ops API
      async jwt(ctx, token, jwt) {
        if (dashboard && token.clientId === dashboard.client_id) {
          jwt.payload.aud = ['fluxer', 'fluxer-ops'];
        }
      },
    },
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, client, oneOf) => oneOf ?? 'urn:fluxer',
      useGrantedResource: () => true,
      getResourceServerInfo(ctx, resource, client) {
        const audience = AUDIENCES[resource];
        if (!audience) throw new Provider.errors.InvalidTarget(`unknown resource ${resource}`);
        return {
          scope: 'api',
          audience,
          accessTokenTTL: ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: SVC_ALGS[client.clientId] ?? 'RS256' } },
        };
      },
    },
  },
});

let jwksFetches = 0;

const loginPage = (uid, error = '') => `<!doctype html><html><head><title>Sign in</title></head><body>
<h1>Sign in to the test provider</h1>${error ? `<p id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<input id="login" name="login" autofocus> <input id="password" name="password" type="password">
<button id="submit" type="submit">Sign in</button></form></body></html>`;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

// The login page, and consent granted without a page (the dashboard is a first-party client).
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  if (prompt.name === 'consent') {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scope] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scope.join(' '));
    }
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
    return;
  }
  if (action !== 'login' || req.method !== 'POST') {
    send(res, 200, 'text/html; charset=utf-8', loginPage(uid));
    return;
  }
  const { login = '', password = '' } = await readForm(req);
  const user = users[login];
  if (!user || (user.password !== undefined && user.password !== password)) {
    send(res, 200, 'text/html; charset=utf-8', loginPage(uid, `unknown user or wrong password: ${login}`));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
}

const providerCallback = provider.callback();
const jwksPath = new URL(provider.urlFor('jwks')).pathname;

const server = http.createServer(async (req, res) => {
  try {
    const { pathname } = new URL(req.url, issuer);
    if (pathname === '/__test/stats') {
      send(res, 200, 'application/json', JSON.stringify({ jwks: jwksFetches }));
      return;
    }
    const match = pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
    if (match) {
      await interaction(req, res, match[1], match[2]);
      return;
    }
    if (pathname === jwksPath) jwksFetches += 1;
    providerCallback(req, res);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) send(res, 500, 'text/plain', String(err));
    else res.end();
  }
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.on('grant.error', (ctx, err) => console.error('grant.error', err));

server.on('error', (err) => {
  console.error(err);
  process.exit(1);
});
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, issuer })}\n`);
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
