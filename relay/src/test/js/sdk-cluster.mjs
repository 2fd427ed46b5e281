// Drives the official `centrifuge` JS SDK against a cluster of Fluxer relay nodes while the test
// takes one node or Redis away. Run by ClusterFailoverTest and ClusterRedisRestartTest.
//
// Environment:
//   FLUXER_MODE        "failover" (default) or "redis-restart"
//   FLUXER_ENDPOINTS   JSON [{"name": "A", "ws": "ws://...", "http": "http://..."}, ...]
//   FLUXER_TOKENS      JSON array of connection tokens, one per SDK client
//   FLUXER_API_KEY     server API key of the nodes
//   FLUXER_CHANNEL     a channel with history and recovery
//   FLUXER_PUBLISHER   name of the node whose HTTP API publishes (one that stays up)
//   FLUXER_CLIENTS_PER_NODE  SDK clients homed on each node (default 2)
//   failover:      FLUXER_VICTIM (node name), FLUXER_STOP ("kill9" or "sigterm"),
//                  FLUXER_COUNT publications (default 250), FLUXER_RATE per second (default 50),
//                  FLUXER_STOP_AT: ask the test to stop the victim after this publication (default COUNT/3)
//   redis-restart: FLUXER_COUNT publications before the restart (default 10), FLUXER_RATE after it
//   FLUXER_DEBUG       "1": SDK debug output and the trace as it happens, on stderr
//
// The SDK connects to one endpoint. In production a load balancer (or the Swarm routing mesh) sends
// a reconnecting client to a live node; here the WebSocket class given to the SDK plays that part:
// it connects to the client's current node and, when the connection to it could not be opened, was
// lost (1006) or the node said it is shutting down (3001), the next attempt goes to the next node
// of FLUXER_ENDPOINTS. Everything else (reconnect delays, resubscribing, recovery from its stream
// position) is the SDK's own.
//
// The script talks to the test through stdio: it prints {"request": "stop", ...} or
// {"request": "restart-redis"} and reads the test's answer as one JSON line on stdin.
//
// failover: the clients (FLUXER_CLIENTS_PER_NODE on every node) subscribe; the publisher publishes
// 1..COUNT at a steady RATE through the HTTP API of FLUXER_PUBLISHER; after STOP_AT the test stops
// the victim. Every client must end with every publication exactly once, in order (consecutive
// offsets too); the victim's clients must have resubscribed on another node with wasRecovering and
// recovered true.
//
// redis-restart: the clients subscribe and receive 1..COUNT; the test kills Redis and starts it
// again empty; the publisher goes on (retrying while Redis is away). Every client must be
// resubscribed with wasRecovering true and recovered false, and then receive new publications in
// order.
//
// On success: exit 0 and one JSON line of figures on stdout ({"ok":true,...}). On any failure: a
// message and the trace on stderr, exit 1. A hard timeout guarantees termination.

import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { check, describe, scriptRun, sleep, stepWaits } from './wait.mjs';
import { deliveryProblem, exactRun, firstProblem } from './sequence.mjs';
import { asker } from './ask.mjs';

const HARD_TIMEOUT_MS = Number(process.env.FLUXER_HARD_TIMEOUT_MS || 60000);
const STEP_TIMEOUT_MS = 10000;
const { changed, until, deadline } = stepWaits(STEP_TIMEOUT_MS);
const SETTLE_MS = 500;
const { note, fail, succeed, elapsed, debug: DEBUG, env } = scriptRun('sdk-cluster', HARD_TIMEOUT_MS);

// ---- waiting: conditions re-checked whenever something arrives, each with its own deadline

const ask = asker(note, deadline);

// ---- the cluster

const endpoints = JSON.parse(env('FLUXER_ENDPOINTS'));
const tokens = JSON.parse(env('FLUXER_TOKENS'));
const channel = env('FLUXER_CHANNEL');
const apiKey = env('FLUXER_API_KEY');
const publisherNode = endpoints.find((e) => e.name === env('FLUXER_PUBLISHER'));
const perNode = Number(env('FLUXER_CLIENTS_PER_NODE', '2'));

/**
 * The WebSocket class for one SDK client: connects to the client's current node; a connection that
 * could not be opened, was lost or was closed because the node shuts down moves the client on.
 */
function failoverWebSocket(client) {
  return class extends WebSocket {
    constructor(url, protocols) {
      const target = endpoints[client.endpoint];
      super(target.ws, protocols);
      let opened = false;
      note(`${client.label} opening socket to ${target.name}`);
      this.addEventListener('open', () => {
        opened = true;
        client.node = target.name;
        note(`${client.label} socket open on ${target.name}`);
      });
      this.addEventListener('close', (e) => {
        note(`${client.label} socket to ${target.name} closed code=${e.code} reason=${e.reason}`);
        if (!opened || e.code === 1006 || e.code === 3001) {
          if (endpoints[client.endpoint] === target) {
            client.endpoint = (client.endpoint + 1) % endpoints.length;
          }
        }
      });
      if (DEBUG) {
        this.addEventListener('message', (e) => note(`${client.label} <<< ${String(e.data)}`));
      }
    }
  };
}

/** One SDK client homed on node {@code home}, subscribed to the channel, recording what it sees. */
function newClient(index, homeIndex) {
  const client = {
    label: `${endpoints[homeIndex].name}${index}`,
    home: endpoints[homeIndex].name,
    endpoint: homeIndex,
    node: null,
    received: [],
    offsets: [],
    subscribed: [],
    connecting: [],
    unsubscribed: null,
    disconnected: null,
  };
  const centrifuge = new Centrifuge('ws://failover.invalid/connection/websocket', {
    websocket: failoverWebSocket(client),
    token: tokens[index],
    name: 'fluxer-sdk-cluster-test',
    debug: DEBUG,
  });
  centrifuge.on('connecting', (ctx) => {
    note(`${client.label} connecting ${describe(ctx)}`);
    client.connecting.push({ at: elapsed(), code: ctx.code, reason: ctx.reason, receivedBefore: client.received.length });
    changed();
  });
  centrifuge.on('connected', (ctx) => {
    note(`${client.label} connected on ${client.node} ${ctx.client}`);
    changed();
  });
  centrifuge.on('disconnected', (ctx) => {
    note(`${client.label} disconnected ${describe(ctx)}`);
    client.disconnected = ctx;
    changed();
  });
  centrifuge.on('error', (ctx) => note(`${client.label} error ${describe(ctx)}`));
  const sub = centrifuge.newSubscription(channel);
  sub.on('subscribed', (ctx) => {
    note(`${client.label} subscribed on ${client.node} recovered=${ctx.recovered} wasRecovering=${ctx.wasRecovering}`
      + ` position=${describe(ctx.streamPosition)}`);
    const entry = {
      at: elapsed(),
      node: client.node,
      recovered: ctx.recovered,
      wasRecovering: ctx.wasRecovering,
      receivedBefore: client.received.length,
      inReply: 0,
    };
    client.subscribed.push(entry);
    // the SDK hands over the publications of the subscribe reply right after this event
    queueMicrotask(() => {
      entry.inReply = client.received.length - entry.receivedBefore;
      changed();
    });
    changed();
  });
  sub.on('subscribing', (ctx) => note(`${client.label} subscribing ${describe(ctx)}`));
  sub.on('unsubscribed', (ctx) => {
    note(`${client.label} unsubscribed ${describe(ctx)}`);
    client.unsubscribed = ctx;
    changed();
  });
  sub.on('error', (ctx) => note(`${client.label} sub error ${describe(ctx)}`));
  sub.on('publication', (ctx) => {
    client.received.push(ctx.data && ctx.data.n);
    client.offsets.push(ctx.offset);
    changed();
  });
  client.centrifuge = centrifuge;
  client.sub = sub;
  return client;
}

function newClients() {
  const clients = [];
  for (let h = 0; h < endpoints.length; h++) {
    for (let k = 0; k < perNode; k++) {
      clients.push(newClient(clients.length, h));
    }
  }
  check(tokens.length >= clients.length, `${clients.length} clients need as many tokens, got ${tokens.length}`);
  return clients;
}

function healthy(clients) {
  for (const c of clients) {
    check(c.unsubscribed === null, `${c.label}: subscription ended: ${describe(c.unsubscribed)}`);
    check(c.disconnected === null, `${c.label}: client gave up: ${describe(c.disconnected)}`);
  }
}

async function subscribeAll(clients) {
  for (const c of clients) {
    c.sub.subscribe();
    c.centrifuge.connect();
  }
  await until('every client subscribed', () => {
    healthy(clients);
    return clients.every((c) => c.subscribed.length === 1);
  }, 20000);
  for (const c of clients) {
    check(c.node === c.home, `${c.label} connected to ${c.node}, not its home ${c.home}`);
  }
}

/** Publishes {n} through the HTTP API of the publishing node; resolves to the answer's result. */
async function publish(n) {
  const res = await fetch(`${publisherNode.http}/api/publish`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel, data: { n } }),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(`publish ${n}: HTTP ${res.status} ${text}`);
  }
  const body = JSON.parse(text);
  if (body.error) {
    throw new Error(`publish ${n}: ${text}`);
  }
  return body.result;
}

function round(x) {
  return Math.round(x * 10) / 10;
}

// ---- failover

async function failoverScenario() {
  const victim = env('FLUXER_VICTIM');
  const how = env('FLUXER_STOP');
  const count = Number(env('FLUXER_COUNT', '250'));
  const rate = Number(env('FLUXER_RATE', '50'));
  const stopAt = Number(env('FLUXER_STOP_AT', String(Math.floor(count / 3))));
  check(publisherNode && publisherNode.name !== victim, 'the publisher must be a node that stays up');

  const clients = newClients();
  await subscribeAll(clients);

  // Steady rate: publication n is due at t0 + (n-1)/rate, whatever the previous one took.
  const interval = 1000 / rate;
  const publishMs = [];
  let stopRequested = null;
  let stopAnswer = null;
  const t0 = Date.now();
  for (let n = 1; n <= count; n++) {
    const wait = t0 + (n - 1) * interval - Date.now();
    if (wait > 0) {
      await sleep(wait);
    }
    healthy(clients);
    const before = Date.now();
    await publish(n);
    publishMs.push(Date.now() - before);
    if (n === stopAt) {
      stopRequested = elapsed();
      for (const c of clients) {
        c.receivedAtStop = c.received.length;
      }
      // not awaited: publishing goes on at the same rate while the test stops the node
      stopAnswer = ask({ request: 'stop', node: victim, how });
    }
  }
  const publishedIn = Date.now() - t0;
  const answer = await stopAnswer;

  await until(`every client has all ${count} publications`, () => {
    healthy(clients);
    return clients.every((c) => c.received.length >= count);
  }, 20000);
  await sleep(SETTLE_MS); // late duplicates would arrive now
  healthy(clients);

  const figures = [];
  for (const c of clients) {
    const problem = deliveryProblem(c, count);
    check(problem === null, problem);
    const moved = c.subscribed.slice(1);
    const lost = c.connecting.filter((e) => e.at >= stopRequested);
    const f = {
      client: c.label,
      home: c.home,
      node: c.node,
      received: c.received.length,
      resubscribes: moved.length,
      recovered: moved.length > 0 && moved.every((s) => s.recovered === true),
      wasRecovering: moved.length > 0 && moved.every((s) => s.wasRecovering === true),
      disconnectCodes: lost.map((e) => e.code),
      // from the first sign of the lost connection to subscribed again (on another node)
      reconnectMs: moved.length > 0 && lost.length > 0 ? moved[moved.length - 1].at - lost[0].at : null,
      // publications that came in the subscribe reply (recovered) rather than live
      recoveredPublications: moved.reduce((sum, sub) => sum + sub.inReply, 0),
      // received live from the stop request until the connection was lost (a SIGTERM's drain)
      liveWhileStopping: lost.length > 0 ? lost[0].receivedBefore - c.receivedAtStop : null,
    };
    if (c.home === victim) {
      check(moved.length >= 1, `${c.label} (on ${victim}) did not resubscribe`);
      check(c.node !== victim, `${c.label} still on ${victim}`);
      check(f.wasRecovering && f.recovered,
        `${c.label}: resubscribed without recovery: ${describe(moved)}`);
      if (how === 'sigterm') {
        check(f.disconnectCodes.includes(3001), `${c.label}: no disconnect 3001, got ${describe(f.disconnectCodes)}`);
      }
    }
    figures.push(f);
  }
  const victims = figures.filter((f) => f.home === victim);
  const times = victims.map((f) => f.reconnectMs).filter((x) => x !== null).sort((a, b) => a - b);
  return {
    mode: 'failover',
    stop: how,
    victim,
    publisher: publisherNode.name,
    channel,
    sent: count,
    rate,
    stopAfter: stopAt,
    stopAnsweredMs: answer ? answer.tookMs : null,
    publishedInMs: publishedIn,
    achievedRate: round(count / (publishedIn / 1000)),
    publishMsMax: Math.max(...publishMs),
    clients: figures,
    received: figures.map((f) => f.received),
    recovered: victims.filter((f) => f.recovered).length,
    victimClients: victims.length,
    otherResubscribes: figures.filter((f) => f.home !== victim).reduce((s, f) => s + f.resubscribes, 0),
    reconnectMs: times,
    reconnectMsMax: times.length ? times[times.length - 1] : null,
  };
}

// ---- Redis restart with data loss

async function redisRestartScenario() {
  const count = Number(env('FLUXER_COUNT', '10'));
  const rate = Number(env('FLUXER_RATE', '20'));
  const wantAfter = 5;
  const clients = newClients();
  await subscribeAll(clients);
  for (let n = 1; n <= count; n++) {
    await deadline(`publish ${n}`, publish(n));
  }
  await until(`every client has ${count} publications`, () => {
    healthy(clients);
    return clients.every((c) => c.received.length >= count);
  });
  for (const c of clients) {
    check(exactRun(c.received, 1, count), `${c.label}: before the restart: ${firstProblem(c.received, count)}`);
  }

  const restartAt = elapsed();
  await ask({ request: 'restart-redis' });
  const restartedAt = elapsed();

  // Publish on (retrying while the nodes reconnect to Redis) until every client resubscribed and
  // then received wantAfter publications live.
  const resubscribed = (c) => c.subscribed.length >= 2;
  const liveAfter = (c) => (resubscribed(c) ? c.received.length - c.subscribed[c.subscribed.length - 1].receivedBefore : 0);
  let n = count;
  let failures = 0;
  let firstSuccessAt = null;
  let lastError = null;
  const phaseEnd = Date.now() + 30000;
  while (!clients.every((c) => resubscribed(c) && liveAfter(c) >= wantAfter)) {
    healthy(clients);
    check(Date.now() < phaseEnd, `after the Redis restart: not every client resubscribed and received `
      + `${wantAfter} publications within 30 s (publish failures ${failures}, last ${lastError}); `
      + clients.map((c) => `${c.label}: subscribed ${c.subscribed.length}x, live after ${liveAfter(c)}`).join('; '));
    try {
      await publish(n + 1);
      n++;
      if (firstSuccessAt === null) {
        firstSuccessAt = elapsed();
      }
    } catch (e) {
      failures++;
      lastError = describe(e);
      note(`publish failed: ${lastError}`);
    }
    await sleep(1000 / rate);
  }
  await sleep(SETTLE_MS);
  healthy(clients);

  const figures = [];
  for (const c of clients) {
    const last = c.subscribed[c.subscribed.length - 1];
    check(last.wasRecovering === true && last.recovered === false,
      `${c.label}: expected wasRecovering true and recovered false after the restart, got ${describe(last)}`);
    const after = c.received.slice(count);
    for (let i = 1; i < after.length; i++) {
      check(after[i] > after[i - 1], `${c.label}: after the restart, out of order or repeated: ${describe(after)}`);
    }
    figures.push({
      client: c.label,
      node: c.node,
      resubscribes: c.subscribed.length - 1,
      recovered: last.recovered,
      wasRecovering: last.wasRecovering,
      resubscribedMs: last.at - restartedAt,
      receivedAfter: after.length,
      firstAfter: after[0],
      disconnectCodes: c.connecting.filter((e) => e.at >= restartAt).map((e) => e.code),
    });
  }
  return {
    mode: 'redis-restart',
    channel,
    before: count,
    publishedAfter: n - count,
    publishFailures: failures,
    firstPublishAfterRestartMs: firstSuccessAt === null ? null : firstSuccessAt - restartedAt,
    clients: figures,
  };
}

const mode = process.env.FLUXER_MODE || 'failover';
const scenarios = { failover: failoverScenario, 'redis-restart': redisRestartScenario };
if (!scenarios[mode]) {
  fail(`unknown FLUXER_MODE ${mode}`);
} else {
  scenarios[mode]().then((summary) => {
    succeed(summary);
  }, (e) => fail(describe(e)));
}
