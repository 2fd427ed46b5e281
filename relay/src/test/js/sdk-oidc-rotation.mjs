// The official `centrifuge` JS SDK against a relay that trusts an OpenID provider (token.issuers),
// while the provider rotates its signing key. Run by ProviderKeyRotationSdkTest.
//
// Environment:
//   FLUXER_WS_URL          ws://host:port/connection/websocket
//   FLUXER_TOKEN_URL       the provider's token endpoint (client credentials grant)
//   FLUXER_CLIENT_ID       client of the provider (e.g. svc-rs256), secret FLUXER_CLIENT_SECRET
//   FLUXER_CLIENT_SECRET
//   FLUXER_RESOURCE        resource indicator of the relay's audience (urn:fluxer)
//   FLUXER_TOKEN_B         connection token (static key) of publisher B
//   FLUXER_CHANNEL         a channel open to clients (subscribe and publish)
//   FLUXER_TTL_MS          the provider's access token lifetime, for the waits' deadlines
//   FLUXER_DEBUG           "1": SDK debug output and every WebSocket frame on stderr
//
// Client A has no token at start: its getToken fetches a fresh access token from the provider on
// every call (connect and each refresh). A subscribes to the channel; B publishes 1, 2, 3, ...
// every 200 ms. Once A's connection token has been refreshed at least once, the script asks the
// test to rotate the provider's keys ({"request":"rotate"}; the answer names the new kid); while
// the test restarts the provider, getToken waits for it. Then A must refresh at least twice more,
// every token after the rotation carrying the new kid and every refresh accepted by the relay
// (checked on the wire: each refresh command's reply, not an error), with no disconnect, no
// reconnect, the same client id throughout, and every publication received exactly once, in order.
//
// On success: exit 0 and one JSON line on stdout ({"ok":true,...}). On any failure: a message and
// the trace on stderr, exit 1. A hard timeout guarantees termination.

import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { asker } from './ask.mjs';
import { check, describe, scriptRun, stepWaits } from './wait.mjs';

const TTL_MS = Number(process.env.FLUXER_TTL_MS || 5000);
const PUBLISH_EVERY_MS = 200;
const REFRESHES_AFTER_ROTATION = 2;
// Each refresh comes about one token lifetime after the previous one.
const STEP_TIMEOUT_MS = 2 * TTL_MS + 5000;
const HARD_TIMEOUT_MS = 8 * TTL_MS + 60000;
const { changed, until, deadline } = stepWaits(STEP_TIMEOUT_MS);
const { note, fail, succeed, elapsed, debug: DEBUG, env } = scriptRun('sdk-oidc-rotation', HARD_TIMEOUT_MS);
const ask = asker(note, deadline);

function jwtHeader(token) {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

// ---- what A's socket carries: refresh commands and their replies

/** Refresh commands A sent, by command id: {kid, sentAt, afterRotation, reply, error}. */
const refreshes = new Map();
let rotated = false;

function frames(data) {
  const out = [];
  for (const line of String(data).split('\n')) {
    if (line.trim() === '') {
      continue;
    }
    try {
      out.push(JSON.parse(line));
    } catch {
      note(`unparsable frame line ${line}`);
    }
  }
  return out;
}

function tracingWebSocket(label, watchRefresh) {
  return class extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      note(`${label} open socket ${url}`);
      this.addEventListener('message', (e) => {
        note(`${label} <<< ${String(e.data)}`);
        if (watchRefresh) {
          for (const msg of frames(e.data)) {
            const sent = msg.id !== undefined ? refreshes.get(msg.id) : undefined;
            if (sent) {
              sent.reply = msg.refresh || null;
              sent.error = msg.error || null;
              sent.answeredAt = elapsed();
              changed();
            }
          }
        }
      });
      this.addEventListener('close', (e) => note(`${label} socket closed code=${e.code} reason=${e.reason}`));
    }

    send(data) {
      note(`${label} >>> ${String(data)}`);
      if (watchRefresh) {
        for (const msg of frames(data)) {
          if (msg.refresh && msg.id !== undefined) {
            refreshes.set(msg.id, {
              id: msg.id, kid: jwtHeader(msg.refresh.token).kid, sentAt: elapsed(), afterRotation: rotated,
              reply: undefined, error: undefined,
            });
          }
        }
      }
      super.send(data);
    }
  };
}

// ---- the provider's tokens

let rotation = null; // a promise while the test restarts the provider
const tokensFetched = []; // {kid, at, afterRotation}

async function providerToken() {
  const body = new URLSearchParams({ grant_type: 'client_credentials', resource: env('FLUXER_RESOURCE') });
  const basic = Buffer.from(`${env('FLUXER_CLIENT_ID')}:${env('FLUXER_CLIENT_SECRET')}`).toString('base64');
  const response = await fetch(env('FLUXER_TOKEN_URL'), {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`token endpoint answered ${response.status}: ${text}`);
  }
  return JSON.parse(text).access_token;
}

async function getToken() {
  if (rotation) {
    note('A getToken waits for the rotation');
    await rotation;
  }
  const afterRotation = rotated;
  const token = await providerToken();
  const header = jwtHeader(token);
  tokensFetched.push({ kid: header.kid, alg: header.alg, typ: header.typ, at: elapsed(), afterRotation });
  note(`A getToken #${tokensFetched.length}: kid ${header.kid}`);
  changed();
  return token;
}

// ---- the scenario

async function scenario() {
  const channel = env('FLUXER_CHANNEL');
  const a = new Centrifuge(env('FLUXER_WS_URL'), {
    websocket: tracingWebSocket('A', true), name: 'fluxer-sdk-test', debug: DEBUG, getToken,
  });
  const b = new Centrifuge(env('FLUXER_WS_URL'), {
    websocket: tracingWebSocket('B', false), name: 'fluxer-sdk-test', debug: DEBUG, token: env('FLUXER_TOKEN_B'),
  });

  const connects = [];
  const trouble = []; // disconnects, reconnects, unsubscribes, errors of A
  let stopping = false;
  a.on('state', (ctx) => {
    note(`A state ${ctx.oldState} -> ${ctx.newState}`);
    changed();
  });
  a.on('connected', (ctx) => {
    note(`A connected ${describe(ctx)}`);
    connects.push(ctx);
    changed();
  });
  a.on('connecting', (ctx) => {
    note(`A connecting ${describe(ctx)}`);
    if (connects.length > 0 && !stopping) {
      trouble.push(`A reconnecting: ${describe(ctx)}`);
      changed();
    }
  });
  a.on('disconnected', (ctx) => {
    note(`A disconnected ${describe(ctx)}`);
    if (!stopping) {
      trouble.push(`A disconnected: ${describe(ctx)}`);
      changed();
    }
  });
  a.on('error', (ctx) => {
    note(`A error ${describe(ctx)}`);
    trouble.push(`A error: ${describe(ctx)}`);
    changed();
  });
  b.on('disconnected', (ctx) => note(`B disconnected ${describe(ctx)}`));

  const received = [];
  const subscribedEvents = [];
  const sub = a.newSubscription(channel);
  sub.on('subscribed', (ctx) => {
    note(`A subscribed ${describe(ctx)}`);
    subscribedEvents.push(ctx);
    if (subscribedEvents.length > 1) {
      trouble.push(`A subscribed again: ${describe(ctx)}`);
    }
    changed();
  });
  sub.on('unsubscribed', (ctx) => {
    note(`A unsubscribed ${describe(ctx)}`);
    if (!stopping) {
      trouble.push(`A unsubscribed: ${describe(ctx)}`);
    }
    changed();
  });
  sub.on('publication', (ctx) => {
    received.push(ctx.data && ctx.data.n);
    changed();
  });

  const healthy = () => {
    check(trouble.length === 0, `A's session was disturbed: ${trouble.join('; ')}`);
    for (const r of refreshes.values()) {
      check(!r.error, `the relay refused refresh #${r.id} (kid ${r.kid}): ${describe(r.error)}`);
    }
  };
  const accepted = (afterRotation) => [...refreshes.values()]
    .filter((r) => r.reply && r.afterRotation === afterRotation);

  sub.subscribe();
  a.connect();
  b.connect();
  await deadline('B connected', b.ready(STEP_TIMEOUT_MS));
  await until('A connected and subscribed', () => {
    healthy();
    return connects.length === 1 && subscribedEvents.length === 1;
  });
  const clientId = connects[0].client;
  const oldKid = tokensFetched[0].kid;

  // B publishes every 200 ms until told to stop.
  let published = 0;
  let publishing = true;
  const publishErrors = [];
  const publisher = (async () => {
    while (publishing) {
      const n = published + 1;
      try {
        await deadline(`B publish ${n}`, b.publish(channel, { n }));
        published = n;
      } catch (e) {
        publishErrors.push(describe(e));
        return;
      } finally {
        changed();
      }
      await new Promise((resolve) => setTimeout(resolve, PUBLISH_EVERY_MS));
    }
  })();

  await until('a refresh of A accepted before the rotation', () => {
    healthy();
    return accepted(false).length >= 1;
  });
  const receivedBeforeRotation = received.length;
  check(receivedBeforeRotation > 0, 'A received no publication before the rotation');

  // Rotation: the test restarts the provider with a new signing key first; getToken waits.
  const rotateAt = elapsed();
  rotation = ask({ request: 'rotate' }, 60000);
  const answer = await rotation;
  rotated = true;
  rotation = null;
  const rotationMs = elapsed() - rotateAt;
  const newKid = answer.kid;
  check(typeof newKid === 'string' && newKid !== oldKid, `the test named no new kid: ${describe(answer)}`);

  await until(`${REFRESHES_AFTER_ROTATION} refreshes of A accepted after the rotation`, () => {
    healthy();
    return accepted(true).length >= REFRESHES_AFTER_ROTATION;
  });
  const receivedAtLastRefresh = received.length;

  publishing = false;
  await deadline('the publisher to stop', publisher);
  check(publishErrors.length === 0, `B could not publish: ${publishErrors.join('; ')}`);
  await until(`A received all ${published} publications`, () => {
    healthy();
    return received.length >= published;
  });
  healthy();

  const expected = Array.from({ length: published }, (_, i) => i + 1);
  check(received.length === expected.length && received.every((n, i) => n === expected[i]),
    `A's publications are not exactly 1..${published} in order: ${describe(received)}`);
  check(receivedAtLastRefresh > receivedBeforeRotation,
    `no publication arrived between the rotation and the last refresh (${receivedBeforeRotation} before, ${receivedAtLastRefresh} at the end)`);
  const after = tokensFetched.filter((t) => t.afterRotation);
  check(after.length >= REFRESHES_AFTER_ROTATION && after.every((t) => t.kid === newKid),
    `tokens fetched after the rotation do not all carry the new kid ${newKid}: ${describe(after)}`);
  for (const r of accepted(true)) {
    check(r.kid === newKid, `refresh #${r.id} after the rotation used kid ${r.kid}, not ${newKid}`);
  }
  const allAccepted = [...refreshes.values()].filter((r) => r.reply);
  for (const r of allAccepted) {
    check(r.reply.client === undefined || r.reply.client === clientId,
      `refresh #${r.id} answered client ${r.reply.client}, connected as ${clientId}`);
  }
  check(connects.length === 1, `A connected ${connects.length} times`);

  stopping = true;
  a.disconnect();
  b.disconnect();
  return {
    client: clientId,
    connects: connects.length,
    oldKid,
    newKid,
    rotationMs,
    getTokenCalls: tokensFetched.length,
    refreshesBeforeRotation: accepted(false).length,
    refreshesAfterRotation: accepted(true).length,
    refreshKids: allAccepted.map((r) => r.kid),
    refreshTtls: allAccepted.map((r) => r.reply.ttl),
    published,
    received: received.length,
    receivedBeforeRotation,
    durationMs: elapsed(),
  };
}

scenario().then(succeed, (e) => fail(describe(e)));
