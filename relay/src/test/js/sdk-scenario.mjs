// The scenario of sdk-matrix.mjs, self-contained (no imports, no outer names) so that the same
// function runs under Node and, through its source text, inside a Chromium page.
//
// sdkScenario(Centrifuge, cfg, note, waits, deps) drives the official SDK (its JSON or its Protobuf
// build, whichever `Centrifuge` is) over the transports in cfg.transports (e.g. [{transport: 'sse',
// endpoint}]) and resolves with a summary, or rejects with what went wrong:
// connect, subscribe, publish, presence and presence stats, history, recovery after a reconnect
// (recovered: true), a server-side disconnect (3503), and a token refresh (error 109, getToken).
//
// cfg: transports, emulationEndpoint, protobuf (publication data as bytes of JSON text), tokenA,
// tokenB (users cfg.userA and another), expiredToken, freshToken, channel, apiUrl, apiKey.
// waits: { changed, until, deadline } of wait.mjs's stepWaits. deps: SDK options the runtime needs
// (under Node `websocket` from ws and `eventsource` from the eventsource package; none in a browser).
export async function sdkScenario(Centrifuge, cfg, note, waits, deps) {
  const { changed, until, deadline } = waits;
  const STEP_MS = 5000;
  function check(condition, message) {
    if (!condition) throw new Error(message);
  }
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  // Protobuf clients publish and receive bytes; the relay wants those bytes to be JSON text.
  const encode = (value) => (cfg.protobuf ? new TextEncoder().encode(JSON.stringify(value)) : value);
  const decode = (data) => {
    if (!cfg.protobuf) return data;
    check(data instanceof Uint8Array, `Protobuf data is not bytes: ${typeof data}`);
    return JSON.parse(new TextDecoder().decode(data));
  };

  function client(label, options) {
    const c = new Centrifuge(cfg.transports, {
      emulationEndpoint: cfg.emulationEndpoint,
      name: 'fluxer-sdk-matrix-test',
      minReconnectDelay: 100,
      maxReconnectDelay: 500,
      ...deps,
      ...options,
    });
    c.on('state', (ctx) => {
      note(`${label} state ${ctx.oldState} -> ${ctx.newState}`);
      changed();
    });
    c.on('connected', (ctx) => note(`${label} connected via ${ctx.transport} ${ctx.client}`));
    c.on('disconnected', (ctx) => note(`${label} disconnected ${JSON.stringify(ctx)}`));
    c.on('error', (ctx) => note(`${label} error ${JSON.stringify(ctx.error)}`));
    return c;
  }

  const summary = {};
  const a = client('A', { token: cfg.tokenA });
  const b = client('B', { token: cfg.tokenB });
  const received = [];
  const subscribed = [];
  let transport = null;
  let clientId = null;
  let serverDisconnect = null;
  a.on('connected', (ctx) => {
    transport = ctx.transport;
    clientId = ctx.client;
    changed();
  });
  const sub = a.newSubscription(cfg.channel);
  sub.on('subscribed', (ctx) => {
    subscribed.push(ctx);
    changed();
  });
  sub.on('publication', (ctx) => {
    received.push(decode(ctx.data).n);
    changed();
  });
  sub.subscribe();
  a.connect();
  b.connect();
  await deadline('B connected', b.ready(STEP_MS));
  await until('A subscribed', () => subscribed.length === 1);
  check(transport === cfg.transports[0].transport, `A connected over ${transport}`);
  check(subscribed[0].recoverable === true, 'subscription not recoverable');

  for (const n of [1, 2, 3]) await deadline(`publish ${n}`, b.publish(cfg.channel, encode({ n })));
  await until('publications 1..3', () => received.length >= 3);
  check(same(received, [1, 2, 3]), `live: ${JSON.stringify(received)}`);

  const presence = await deadline('presence', sub.presence());
  check(Object.values(presence.clients).some((info) => info.client === clientId), 'A not in presence');
  const stats = await deadline('presence stats', sub.presenceStats());
  check(stats.numClients >= 1, `presence stats ${JSON.stringify(stats)}`);
  const history = await deadline('history', sub.history({ limit: 10 }));
  check(same(history.publications.map((p) => decode(p.data).n), [1, 2, 3]),
    `history has ${history.publications.length}`);
  summary.presence = true;
  summary.history = history.publications.length;

  // Recovery: A goes away, B publishes 4..6, A comes back and must get exactly those.
  a.disconnect();
  await until('A disconnected', () => a.state === 'disconnected');
  for (const n of [4, 5, 6]) await deadline(`publish ${n}`, b.publish(cfg.channel, encode({ n })));
  a.connect();
  await until('A resubscribed', () => subscribed.length === 2 && received.length >= 6);
  check(subscribed[1].recovered === true && subscribed[1].wasRecovering === true,
    `not recovered: ${JSON.stringify({ recovered: subscribed[1].recovered, wasRecovering: subscribed[1].wasRecovering })}`);
  check(same(received, [1, 2, 3, 4, 5, 6]), `after recovery: ${JSON.stringify(received)}`);
  summary.recovered = subscribed[1].recovered;
  summary.received = received;

  // A server-side disconnect (terminal code): a close frame on WebSocket, a disconnect push on the
  // HTTP transports.
  a.on('disconnected', (ctx) => {
    serverDisconnect = ctx;
    changed();
  });
  const answer = await fetch(`${cfg.apiUrl}/api/disconnect`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': cfg.apiKey },
    body: JSON.stringify({ user: cfg.userA }),
  });
  check(answer.ok, `disconnect API answered ${answer.status}`);
  await until('A disconnected by the server', () => serverDisconnect !== null);
  summary.disconnectCode = serverDisconnect.code;

  // Token refresh: an expired token is answered 109, getToken gives a fresh one.
  let getTokenCalls = 0;
  const errors = [];
  const c = client('C', {
    token: cfg.expiredToken,
    getToken: async () => {
      getTokenCalls++;
      return cfg.freshToken;
    },
  });
  c.on('error', (ctx) => {
    errors.push(ctx.error && ctx.error.code);
    changed();
  });
  c.connect();
  await deadline('C connected after a new token', c.ready(10000), 10000);
  check(errors.includes(109), `no error 109: ${JSON.stringify(errors)}`);
  summary.getTokenCalls = getTokenCalls;
  summary.transport = transport;
  b.disconnect();
  c.disconnect();
  return summary;
}
