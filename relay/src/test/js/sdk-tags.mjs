// The official `centrifuge` SDK's `tagsFilter` subscription option against a Fluxer relay: the
// subscriber must receive only the publications whose tags match. Run by SdkTagsFilterTest.
//
// Environment:
//   FLUXER_WS_URL     ws://host:port/connection/websocket
//   FLUXER_HTTP_URL   http://host:port (for the server API's publish, which carries tags)
//   FLUXER_API_KEY    a key allowed to publish
//   FLUXER_TOKEN      connection token of the subscriber
//   FLUXER_CHANNEL    a channel of a namespace with allow_tags_filter
//   FLUXER_DEBUG      "1": SDK debug output on stderr
//
// On success: exit 0 and one JSON line on stdout ({"ok":true,"received":[...],"offsets":[...]}).

import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { check, describe, scriptRun, stepWaits } from './wait.mjs';

const HARD_TIMEOUT_MS = 20000;
const { changed, until, deadline } = stepWaits(5000);
const { note, fail, succeed, debug: DEBUG, env } = scriptRun('sdk-tags', HARD_TIMEOUT_MS);

async function publish(channel, n, tags) {
  const response = await fetch(`${env('FLUXER_HTTP_URL')}/api/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': env('FLUXER_API_KEY') },
    body: JSON.stringify({ channel, data: { n }, tags }),
  });
  const body = await response.text();
  check(response.status === 200 && !body.includes('"error"'), `publish ${n}: ${response.status} ${body}`);
}

async function main() {
  const channel = env('FLUXER_CHANNEL');
  const client = new Centrifuge(env('FLUXER_WS_URL'), { websocket: WebSocket, token: env('FLUXER_TOKEN'), debug: DEBUG });
  client.on('disconnected', (ctx) => note(`disconnected ${describe(ctx)}`));
  const received = [];
  const offsets = [];
  let subscribed = false;
  let failure = null;
  const sub = client.newSubscription(channel, {
    tagsFilter: { op: 'or', nodes: [
      { key: 'ticker', cmp: 'eq', val: 'AAPL' },
      { key: 'price', cmp: 'gt', val: '1000' },
    ] },
  });
  sub.on('subscribed', (ctx) => {
    note(`subscribed ${describe(ctx)}`);
    subscribed = true;
    changed();
  });
  sub.on('error', (ctx) => {
    failure = ctx;
    changed();
  });
  sub.on('unsubscribed', (ctx) => {
    failure = ctx;
    changed();
  });
  sub.on('publication', (ctx) => {
    note(`publication ${describe(ctx)}`);
    received.push(ctx.data.n);
    offsets.push(ctx.offset);
    changed();
  });
  sub.subscribe();
  client.connect();
  await until('subscribed', () => {
    check(failure === null, `subscription failed: ${describe(failure)}`);
    return subscribed;
  });

  await deadline('publish 1', publish(channel, 1, { ticker: 'AAPL' }));
  await deadline('publish 2', publish(channel, 2, { ticker: 'MSFT', price: '300' }));
  await deadline('publish 3', publish(channel, 3, { ticker: 'BRK', price: '700000' }));
  await deadline('publish 4', publish(channel, 4, {}));
  await deadline('publish 5', publish(channel, 5, { ticker: 'AAPL' }));
  await until('the last matching publication', () => received.includes(5));
  client.disconnect();
  succeed({ received, offsets });
}

main().catch((e) => fail(describe(e, true)));
