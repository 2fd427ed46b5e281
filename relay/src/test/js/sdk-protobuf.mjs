// Drives the official `centrifuge` JS SDK's Protobuf build (centrifuge/build/protobuf: WebSocket
// subprotocol centrifuge-protobuf, binary frames) against a running Fluxer relay, next to a client
// of the JSON build. Run by SdkProtobufTest; can also be run by hand.
//
// Environment:
//   FLUXER_WS_URL        ws://host:port/connection/websocket
//   FLUXER_API_URL       http://host:port/api (mode "flow": the server-side disconnect)
//   FLUXER_API_KEY       an admin API key (mode "flow")
//   FLUXER_TOKEN_A       connection token of Protobuf client A, user alice (mode "expired": an expired one)
//   FLUXER_TOKEN_B       connection token of Protobuf publisher B, user bob (mode "flow")
//   FLUXER_TOKEN_J       connection token of JSON client J, user jay (mode "flow")
//   FLUXER_TOKEN_FRESH   a valid token for A, returned by getToken (mode "expired")
//   FLUXER_CHANNEL       a channel of a namespace with history, recovery, presence and client publish
//   FLUXER_MODE          "flow" (default) or "expired"
//   FLUXER_DEBUG         "1": SDK debug output and every WebSocket frame on stderr
//
// Mode "flow": A (Protobuf) and J (JSON) subscribe; B (Protobuf) publishes 1..3 and both receive
// the same; A reads presence, presence stats and history; A disconnects, B publishes 4..6, A
// connects again and recovers exactly 4..6 (recovered: true), then gets 7 live. A raw socket sends
// malformed Protobuf and is closed with 3501 while A stays connected. Last, the server API
// disconnects alice: A ends with code 3503 and stops reconnecting; J stays connected.
// Mode "expired": A connects with an expired token; the server answers 109, the SDK calls getToken
// and ends up connected with the fresh token, then publishes.
//
// On success: exit 0 and one JSON line on stdout ({"ok":true,...}). On any failure: a message and
// the frame log on stderr, exit 1. A hard timeout guarantees termination.

import { Centrifuge as ProtobufCentrifuge } from 'centrifuge/build/protobuf';
import { Centrifuge as JsonCentrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { check, describe, scriptRun, sleep, stepWaits } from './wait.mjs';

const HARD_TIMEOUT_MS = 25000;
const STEP_TIMEOUT_MS = 5000;
const SETTLE_MS = 300;
const { changed, until, deadline } = stepWaits(STEP_TIMEOUT_MS);
const { note, fail, succeed, debug: DEBUG, env } = scriptRun('sdk-protobuf', HARD_TIMEOUT_MS);

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** JSON as the bytes a Protobuf client publishes. */
function bytes(value) {
  return encoder.encode(JSON.stringify(value));
}

/** A Protobuf publication's data (bytes of JSON text) as a value. */
function fromBytes(data) {
  check(data instanceof Uint8Array, `Protobuf data is not bytes: ${describe(data)}`);
  return JSON.parse(decoder.decode(data));
}

function sameList(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The WebSocket subprotocol each client's last socket agreed on, by label. */
const agreed = {};

/** A `ws` WebSocket that records every frame it sends and receives, tagged with a client label. */
function tracingWebSocket(label) {
  const show = (data) => (typeof data === 'string' ? data : `<${data.byteLength} bytes>`);
  return class extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      note(`${label} open socket ${url} protocols=${describe(protocols)}`);
      this.addEventListener('open', () => {
        agreed[label] = this.protocol;
        note(`${label} agreed protocol '${this.protocol}'`);
      });
      this.addEventListener('message', (e) => note(`${label} <<< ${show(e.data)}`));
      this.addEventListener('close', (e) => note(`${label} socket closed code=${e.code} reason=${e.reason}`));
    }

    send(data) {
      note(`${label} >>> ${show(data)}`);
      super.send(data);
    }
  };
}

function newClient(Centrifuge, label, options) {
  const client = new Centrifuge(env('FLUXER_WS_URL'), {
    websocket: tracingWebSocket(label),
    name: 'fluxer-sdk-test',
    debug: DEBUG,
    ...options,
  });
  client.on('state', (ctx) => {
    note(`${label} state ${ctx.oldState} -> ${ctx.newState}`);
    changed();
  });
  client.on('connected', (ctx) => note(`${label} connected transport=${ctx.transport} client=${ctx.client}`));
  client.on('disconnected', (ctx) => note(`${label} disconnected ${describe(ctx)}`));
  client.on('error', (ctx) => note(`${label} error ${describe(ctx)}`));
  return client;
}

/** A subscription that records what arrives: values, offsets, subscribe contexts, unsubscribes. */
function recordingSubscription(client, label, channel, decode) {
  const rec = { values: [], offsets: [], subscribed: [], unsubscribed: null };
  const sub = client.newSubscription(channel);
  sub.on('state', (ctx) => {
    note(`${label} sub ${ctx.oldState} -> ${ctx.newState}`);
    changed();
  });
  sub.on('subscribed', (ctx) => {
    note(`${label} subscribed recovered=${ctx.recovered} wasRecovering=${ctx.wasRecovering}`);
    rec.subscribed.push(ctx);
    changed();
  });
  sub.on('unsubscribed', (ctx) => {
    note(`${label} unsubscribed ${describe(ctx)}`);
    rec.unsubscribed = ctx;
    changed();
  });
  sub.on('error', (ctx) => note(`${label} sub error ${describe(ctx)}`));
  sub.on('publication', (ctx) => {
    const value = decode(ctx.data);
    note(`${label} publication offset=${ctx.offset} ${describe(value)}`);
    rec.values.push(value.n);
    rec.offsets.push(ctx.offset);
    changed();
  });
  return { sub, rec };
}

async function flowScenario() {
  const channel = env('FLUXER_CHANNEL');
  const a = newClient(ProtobufCentrifuge, 'A', { token: env('FLUXER_TOKEN_A') });
  const b = newClient(ProtobufCentrifuge, 'B', { token: env('FLUXER_TOKEN_B') });
  const j = newClient(JsonCentrifuge, 'J', { token: env('FLUXER_TOKEN_J') });
  let aConnected = null;
  a.on('connected', (ctx) => {
    aConnected = ctx;
    changed();
  });
  let expectDisconnect = false;
  let aDisconnected = null;
  a.on('disconnected', (ctx) => {
    aDisconnected = ctx;
    changed();
  });
  let jDisconnected = null;
  j.on('disconnected', (ctx) => {
    jDisconnected = ctx;
    changed();
  });

  const A = recordingSubscription(a, 'A', channel, fromBytes);
  const J = recordingSubscription(j, 'J', channel, (data) => data);
  const healthy = () => {
    check(expectDisconnect || aDisconnected === null, `A was disconnected: ${describe(aDisconnected)}`);
    check(jDisconnected === null, `J was disconnected: ${describe(jDisconnected)}`);
    check(A.rec.unsubscribed === null && J.rec.unsubscribed === null, 'a subscription was unsubscribed');
  };

  A.sub.subscribe();
  J.sub.subscribe();
  a.connect();
  b.connect();
  j.connect();
  await deadline('B connected', b.ready(STEP_TIMEOUT_MS));
  await until('A and J subscribed', () => {
    healthy();
    return A.rec.subscribed.length === 1 && J.rec.subscribed.length === 1;
  });
  check(aConnected.transport === 'websocket', `A transport: ${aConnected.transport}`);
  check(agreed.A === 'centrifuge-protobuf' && agreed.B === 'centrifuge-protobuf' && agreed.J === '',
    `subprotocols agreed: ${describe(agreed)}`);
  check(A.rec.subscribed[0].recoverable === true, `A's subscription is not recoverable: ${describe(A.rec.subscribed[0])}`);

  async function publish(n) {
    await deadline(`B publish ${n}`, b.publish(channel, bytes({ n, from: 'protobuf' })));
  }

  // 1..3 live to a Protobuf and a JSON subscriber.
  for (const n of [1, 2, 3]) {
    await publish(n);
  }
  await until('1..3 at A and J', () => {
    healthy();
    return A.rec.values.length >= 3 && J.rec.values.length >= 3;
  });
  check(sameList(A.rec.values, [1, 2, 3]), `A got ${describe(A.rec.values)}`);
  check(sameList(J.rec.values, [1, 2, 3]), `J got ${describe(J.rec.values)}`);
  check(sameList(A.rec.offsets, J.rec.offsets), `offsets differ: A ${describe(A.rec.offsets)}, J ${describe(J.rec.offsets)}`);

  // Presence, presence stats and history over Protobuf.
  const presence = await deadline('presence', A.sub.presence());
  const users = Object.values(presence.clients).map((c) => c.user).sort();
  check(sameList(users, ['alice', 'jay']), `presence users: ${describe(users)}`);
  const stats = await deadline('presence stats', A.sub.presenceStats());
  check(stats.numClients === 2 && stats.numUsers === 2, `presence stats: ${describe(stats)}`);
  const history = await deadline('history', A.sub.history({ limit: 10 }));
  const inHistory = history.publications.map((p) => fromBytes(p.data).n);
  check(sameList(inHistory, [1, 2, 3]), `history: ${describe(inHistory)}`);
  check(history.epoch === A.rec.subscribed[0].streamPosition.epoch, `history epoch ${history.epoch}`);

  // A goes away; B publishes 4..6; A comes back and recovers exactly those.
  expectDisconnect = true;
  a.disconnect();
  await until('A disconnected', () => a.state === 'disconnected');
  for (const n of [4, 5, 6]) {
    await publish(n);
  }
  aDisconnected = null;
  expectDisconnect = false;
  a.connect();
  await until('A resubscribed', () => {
    healthy();
    return A.rec.subscribed.length === 2;
  });
  const recovery = A.rec.subscribed[1];
  check(recovery.wasRecovering === true && recovery.recovered === true, `recovery: ${describe(recovery)}`);
  await until('4..6 recovered at A', () => {
    healthy();
    return A.rec.values.length >= 6;
  });
  await publish(7);
  await until('7 live at A and J', () => {
    healthy();
    return A.rec.values.length >= 7 && J.rec.values.length >= 7;
  });
  check(sameList(A.rec.values, [1, 2, 3, 4, 5, 6, 7]), `A after recovery: ${describe(A.rec.values)}`);
  check(sameList(J.rec.values, [1, 2, 3, 4, 5, 6, 7]), `J: ${describe(J.rec.values)}`);

  // Malformed Protobuf closes that one connection with 3501; A is untouched.
  const raw = new WebSocket(env('FLUXER_WS_URL'), 'centrifuge-protobuf');
  let rawClose = null;
  raw.on('close', (code) => {
    rawClose = code;
    changed();
  });
  await deadline('raw socket open', new Promise((resolve, reject) => {
    raw.on('open', resolve);
    raw.on('error', reject);
  }));
  check(raw.protocol === 'centrifuge-protobuf', `raw socket protocol '${raw.protocol}'`);
  raw.send(Buffer.from([0x05, 0x08])); // a command said to be 5 bytes long, 1 there
  await until('raw socket closed', () => rawClose !== null);
  check(rawClose === 3501, `malformed Protobuf closed with ${rawClose}`);
  await publish(8);
  await until('8 at A', () => {
    healthy();
    return A.rec.values.length >= 8;
  });

  // The server disconnects alice: terminal code, the SDK stops; J goes on.
  expectDisconnect = true;
  const response = await deadline('server API disconnect', fetch(`${env('FLUXER_API_URL')}/disconnect`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': env('FLUXER_API_KEY') },
    body: JSON.stringify({ user: 'alice', disconnect: { code: 3503, reason: 'force disconnect' } }),
  }));
  check(response.status === 200, `disconnect API answered ${response.status}`);
  await until('A disconnected by the server', () => aDisconnected !== null);
  check(aDisconnected.code === 3503, `A disconnected with ${describe(aDisconnected)}`);
  await sleep(SETTLE_MS);
  check(a.state === 'disconnected', `A reconnects after a terminal code: ${a.state}`);
  check(j.state === 'connected', `J state ${j.state}`);
  healthy();

  b.disconnect();
  j.disconnect();
  return {
    mode: 'flow',
    protocols: agreed,
    a: A.rec.values,
    j: J.rec.values,
    offsets: A.rec.offsets,
    recovered: recovery.recovered,
    wasRecovering: recovery.wasRecovering,
    presenceUsers: users,
    history: inHistory,
    malformedClose: rawClose,
    serverDisconnect: aDisconnected.code,
  };
}

async function expiredScenario() {
  const fresh = env('FLUXER_TOKEN_FRESH');
  let getTokenCalls = 0;
  const errorCodes = [];
  const a = newClient(ProtobufCentrifuge, 'A', {
    token: env('FLUXER_TOKEN_A'),
    getToken: async () => {
      getTokenCalls++;
      note(`A getToken call ${getTokenCalls}`);
      return fresh;
    },
  });
  let connected = null;
  let disconnected = null;
  a.on('error', (ctx) => {
    errorCodes.push(ctx.error ? ctx.error.code : null);
    changed();
  });
  a.on('connected', (ctx) => {
    connected = ctx;
    changed();
  });
  a.on('disconnected', (ctx) => {
    disconnected = ctx;
    changed();
  });

  a.connect();
  await until('A connected after refreshing its token', () => {
    check(disconnected === null, `client gave up: ${describe(disconnected)}`);
    return connected !== null;
  }, 10000);
  check(errorCodes.includes(109), `no error 109 for the expired token; errors: ${describe(errorCodes)}`);
  check(getTokenCalls >= 1, 'getToken was not called');
  await deadline('publish after refresh', a.publish(env('FLUXER_CHANNEL'), bytes({ n: 'fresh' })));
  a.disconnect();
  return { mode: 'expired', connected: true, client: connected.client, errors: errorCodes, getTokenCalls };
}

const mode = process.env.FLUXER_MODE || 'flow';
const scenarios = { flow: flowScenario, expired: expiredScenario };
if (!scenarios[mode]) {
  fail(`unknown FLUXER_MODE ${mode}`);
} else {
  scenarios[mode]().then(succeed, (e) => fail(describe(e, true)));
}
