// The official `centrifuge` SDK with `delta: 'fossil'` against a Fluxer relay: every publication
// must arrive with its data exactly as published, most of them as deltas, also across a reconnect
// with recovery. Run by SdkDeltaTest.
//
// Environment:
//   FLUXER_WS_URL     ws://host:port/connection/websocket
//   FLUXER_HTTP_URL   http://host:port (the server API's publish, with delta: true)
//   FLUXER_API_KEY    a key allowed to publish
//   FLUXER_TOKEN      connection token of the subscriber
//   FLUXER_CHANNEL    a channel of a namespace with allowed_delta_types [fossil] and recovery
//   FLUXER_PROTOCOL   "json" (default) or "protobuf": which build of the SDK
//   FLUXER_DEBUG      "1": SDK debug output on stderr
//
// On success: exit 0 and one JSON line on stdout ({"ok":true,"received":N,"deltaStats":{...}}).

import WebSocket from 'ws';
import { check, describe, scriptRun, stepWaits } from './wait.mjs';

const HARD_TIMEOUT_MS = 25000;
const { changed, until, deadline } = stepWaits(5000);
const { note, fail, succeed, debug: DEBUG, env } = scriptRun('sdk-delta', HARD_TIMEOUT_MS);
const PROTOBUF = env('FLUXER_PROTOCOL', 'json') === 'protobuf';
const { Centrifuge } = PROTOBUF ? await import('centrifuge/build/protobuf') : await import('centrifuge');
// The Protobuf build hands data over as bytes (here: JSON text in UTF-8), the JSON build decoded.
const decode = PROTOBUF ? (data) => JSON.parse(new TextDecoder().decode(data)) : (data) => data;

function scoreboard(round) {
  const players = [];
  for (let i = 0; i < 40; i++) {
    players.push({ id: `player-${i}`, name: `Player número ${i}`, score: i * 10 + (i % 7 === round % 7 ? round : 0) });
  }
  return { match: 'final', round, players };
}

async function publish(channel, data) {
  const response = await fetch(`${env('FLUXER_HTTP_URL')}/api/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': env('FLUXER_API_KEY') },
    body: JSON.stringify({ channel, data, delta: true }),
  });
  const body = await response.text();
  check(response.status === 200 && !body.includes('"error"'), `publish: ${response.status} ${body}`);
}

async function main() {
  const channel = env('FLUXER_CHANNEL');
  const client = new Centrifuge(env('FLUXER_WS_URL'), { websocket: WebSocket, token: env('FLUXER_TOKEN'), debug: DEBUG });
  const received = [];
  const subscribed = [];
  let failure = null;
  const sub = client.newSubscription(channel, { delta: 'fossil' });
  sub.on('subscribed', (ctx) => {
    note(`subscribed ${describe(ctx)}`);
    subscribed.push(ctx);
    changed();
  });
  sub.on('error', (ctx) => {
    failure = ctx;
    changed();
  });
  sub.on('publication', (ctx) => {
    received.push(decode(ctx.data));
    changed();
  });
  const healthy = () => check(failure === null, `subscription error: ${describe(failure)}`);
  sub.subscribe();
  client.connect();
  await until('subscribed', () => { healthy(); return subscribed.length === 1; });

  const expected = [];
  for (let round = 1; round <= 5; round++) {
    expected.push(scoreboard(round));
    await deadline(`publish ${round}`, publish(channel, scoreboard(round)));
  }
  await until('rounds 1..5', () => { healthy(); return received.length >= 5; });

  client.disconnect();
  await until('disconnected', () => client.state === 'disconnected');
  for (let round = 6; round <= 7; round++) {
    expected.push(scoreboard(round));
    await deadline(`publish ${round}`, publish(channel, scoreboard(round)));
  }
  client.connect();
  await until('recovered', () => { healthy(); return subscribed.length === 2 && received.length >= 7; });
  check(subscribed[1].recovered === true, `not recovered: ${describe(subscribed[1])}`);
  for (let round = 8; round <= 10; round++) {
    expected.push(scoreboard(round));
    await deadline(`publish ${round}`, publish(channel, scoreboard(round)));
  }
  await until('rounds 8..10', () => { healthy(); return received.length >= 10; });
  check(JSON.stringify(received) === JSON.stringify(expected),
    `data differs: got rounds ${describe(received.map((d) => d && d.round))}`);
  const stats = sub.deltaStats();
  client.disconnect();
  succeed({ received: received.length, deltaStats: stats });
}

main().catch((e) => fail(describe(e, true)));
