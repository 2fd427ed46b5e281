// Drives the official `centrifuge` JS SDK against Fluxer deployed as a swarm stack while the test
// disrupts the relays (a rolling update, a killed task, a redeploy through the control plane). Run by
// FluxerStackTest.
//
// Environment:
//   FLUXER_WS          the stack's WebSocket endpoint (ws://host:port/connection/websocket), the one
//                      published port: every (re)connection goes to whichever relay it routes to
//   FLUXER_HTTP        the same port's HTTP base (http://host:port), for the server API
//   FLUXER_TOKENS      JSON array of connection tokens, one per SDK client
//   FLUXER_API_KEY     a server API key
//   FLUXER_CHANNEL     a channel with history and recovery, new for this run
//   FLUXER_DISRUPTION  what the test will do, for the request and the figures
//   FLUXER_RATE        publications per second (default 50)
//   FLUXER_BEFORE      publications before asking for the disruption (default 100)
//   FLUXER_AFTER       publications after the test said it is over (default 100)
//   FLUXER_WATCH       optional: one more client subscribes to this channel (e.g. deploy:<stack>) and
//                      the figures list the data of every publication it received
//   FLUXER_DISRUPTION_MS  how long the test may take for the disruption (default 300000)
//   FLUXER_DEBUG       "1": SDK debug output and the trace as it happens, on stderr
//
// The clients subscribe; the publisher publishes {n} = 1, 2, ... at a steady RATE through the server
// API, each with an idempotency key (a publication whose answer was lost is sent again with the same
// key, so it is stored once), retrying through connection failures for up to 30 s. After BEFORE
// publications it asks the test for the disruption ({"request": "disrupt"}) and publishes on while
// the test carries it out; once the test answers, it publishes AFTER more and stops. Every client
// must then have every publication exactly once, in order (over as many reconnects as it took, with
// recovery); the figures count the reconnects.
//
// On success: exit 0 and one JSON line of figures on stdout ({"ok":true,...}). On any failure: a
// message and the trace on stderr, exit 1. A hard timeout guarantees termination.

import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { check, describe, scriptRun, sleep, stepWaits } from './wait.mjs';
import { deliveryProblem } from './sequence.mjs';
import { asker } from './ask.mjs';

const DISRUPTION_MS = Number(process.env.FLUXER_DISRUPTION_MS || 300000);
const HARD_TIMEOUT_MS = Number(process.env.FLUXER_HARD_TIMEOUT_MS || DISRUPTION_MS + 120000);
const RETRY_MS = 30000;
const SETTLE_MS = 500;
const { changed, until, deadline } = stepWaits(20000);
const { note, fail, succeed, elapsed, debug: DEBUG, env } = scriptRun('sdk-stack', HARD_TIMEOUT_MS);
const ask = asker(note, deadline);

const wsUrl = env('FLUXER_WS');
const httpBase = env('FLUXER_HTTP');
const tokens = JSON.parse(env('FLUXER_TOKENS'));
const apiKey = env('FLUXER_API_KEY');
const channel = env('FLUXER_CHANNEL');
const disruption = env('FLUXER_DISRUPTION');
const rate = Number(env('FLUXER_RATE', '50'));
const before = Number(env('FLUXER_BEFORE', '100'));
const after = Number(env('FLUXER_AFTER', '100'));
const watch = process.env.FLUXER_WATCH || null;

/** One SDK client subscribed to {@code subscribeTo}, recording what it sees. */
function newClient(label, token, subscribeTo) {
  const client = {
    label,
    received: [],
    data: [],
    offsets: [],
    subscribed: [],
    connecting: [],
    connected: 0,
    unsubscribed: null,
    disconnected: null,
  };
  const centrifuge = new Centrifuge(wsUrl, { websocket: WebSocket, token, name: 'fluxer-sdk-stack-test', debug: DEBUG });
  centrifuge.on('connecting', (ctx) => {
    note(`${label} connecting ${describe(ctx)}`);
    client.connecting.push({ at: elapsed(), code: ctx.code });
    changed();
  });
  centrifuge.on('connected', (ctx) => {
    client.connected++;
    note(`${label} connected to ${ctx.client}`);
    changed();
  });
  centrifuge.on('disconnected', (ctx) => {
    note(`${label} disconnected ${describe(ctx)}`);
    client.disconnected = ctx;
    changed();
  });
  centrifuge.on('error', (ctx) => note(`${label} error ${describe(ctx)}`));
  const sub = centrifuge.newSubscription(subscribeTo);
  sub.on('subscribed', (ctx) => {
    note(`${label} subscribed recovered=${ctx.recovered} wasRecovering=${ctx.wasRecovering}`
      + ` position=${describe(ctx.streamPosition)}`);
    client.subscribed.push({ at: elapsed(), recovered: ctx.recovered, wasRecovering: ctx.wasRecovering });
    changed();
  });
  sub.on('subscribing', (ctx) => note(`${label} subscribing ${describe(ctx)}`));
  sub.on('unsubscribed', (ctx) => {
    note(`${label} unsubscribed ${describe(ctx)}`);
    client.unsubscribed = ctx;
    changed();
  });
  sub.on('error', (ctx) => note(`${label} sub error ${describe(ctx)}`));
  sub.on('publication', (ctx) => {
    client.received.push(ctx.data && ctx.data.n);
    client.data.push(ctx.data);
    client.offsets.push(ctx.offset);
    changed();
  });
  client.centrifuge = centrifuge;
  client.sub = sub;
  return client;
}

function healthy(clients) {
  for (const c of clients) {
    check(c.unsubscribed === null, `${c.label}: subscription ended: ${describe(c.unsubscribed)}`);
    check(c.disconnected === null, `${c.label}: client gave up: ${describe(c.disconnected)}`);
  }
}

const publishing = { retries: 0, lastError: null, maxMs: 0 };

/** Publishes {n} with its idempotency key, again and again through failures, for up to 30 s. */
async function publish(n) {
  const body = JSON.stringify({ channel, data: { n }, idempotency_key: `${channel}:${n}` });
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(`${httpBase}/api/publish`, {
        method: 'POST',
        headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      if (res.status === 200 && !JSON.parse(text).error) {
        publishing.maxMs = Math.max(publishing.maxMs, Date.now() - started);
        return;
      }
      publishing.lastError = `HTTP ${res.status} ${text}`;
    } catch (e) {
      publishing.lastError = describe(e);
    }
    publishing.retries++;
    note(`publish ${n} failed (${publishing.lastError}); retrying`);
    check(Date.now() - started < RETRY_MS, `publish ${n} failed for ${RETRY_MS} ms: ${publishing.lastError}`);
    await sleep(100);
  }
}

function round(x) {
  return Math.round(x * 10) / 10;
}

async function main() {
  const clients = tokens.map((t, i) => newClient(`c${i}`, t, channel));
  const watcher = watch ? newClient('watch', tokens[0], watch) : null;
  const all = watcher ? [...clients, watcher] : clients;
  for (const c of all) {
    c.sub.subscribe();
    c.centrifuge.connect();
  }
  await until('every client subscribed', () => {
    healthy(all);
    return all.every((c) => c.subscribed.length >= 1);
  }, 30000);

  // Steady rate: publication n is due at t0 + (n-1)/rate; after a slow one the next go out at once.
  const interval = 1000 / rate;
  const t0 = Date.now();
  let answer = null;
  let answered = null;
  let requestedAt = null;
  let total = null;
  for (let n = 1; total === null || n <= total; n++) {
    const wait = t0 + (n - 1) * interval - Date.now();
    if (wait > 0) {
      await sleep(wait);
    }
    healthy(all);
    await publish(n);
    if (n === before) {
      requestedAt = elapsed();
      answer = ask({ request: 'disrupt', what: disruption }, DISRUPTION_MS).then((a) => {
        answered = a;
        return a;
      });
      answer.catch(() => {}); // awaited below; its failure must not count as unhandled meanwhile
    }
    if (answered !== null && total === null) {
      total = n + after;
    }
  }
  const publishedIn = Date.now() - t0;
  await answer;

  await until(`every client has all ${total} publications`, () => {
    healthy(all);
    return clients.every((c) => c.received.length >= total);
  }, 60000);
  await sleep(SETTLE_MS); // late repeats would arrive now
  healthy(all);

  const figures = [];
  for (const c of clients) {
    const problem = deliveryProblem(c, total);
    check(problem === null, problem);
    const again = c.subscribed.slice(1);
    check(again.every((s) => s.wasRecovering && s.recovered),
      `${c.label}: resubscribed without recovering: ${describe(again)}`);
    figures.push({
      client: c.label,
      received: c.received.length,
      reconnects: c.connected - 1,
      resubscribes: again.length,
      disconnectCodes: c.connecting.filter((e) => e.at >= (requestedAt || 0)).map((e) => e.code),
    });
  }
  return {
    disruption,
    channel,
    clients: figures.length,
    published: total,
    rate,
    achievedRate: round(total / (publishedIn / 1000)),
    publishedInMs: publishedIn,
    publishRetries: publishing.retries,
    publishMsMax: publishing.maxMs,
    disruptionMs: answered && requestedAt !== null ? answered.tookMs : null,
    reconnects: figures.reduce((s, f) => s + f.reconnects, 0),
    perClient: figures,
    watched: watcher ? watcher.data : null,
  };
}

main().then(succeed, (e) => fail(describe(e, true)));
