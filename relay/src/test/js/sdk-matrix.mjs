// Runs the official `centrifuge` SDK, its JSON or its Protobuf build, over one transport against a
// relay, under Node or in Debian's Chromium (through playwright-core): the scenario of
// sdk-scenario.mjs, one cell of the matrix SdkMatrixTest runs. Under Node, WebSocket comes from the
// `ws` package and EventSource from the `eventsource` package (Node 20 has neither); in Chromium the
// SDK's browser build uses the browser's own WebSocket, EventSource, fetch and streams, from a page
// of the relay's origin. The wait helpers of wait.mjs are injected into the page, not copied.
//
// FLUXER_TRANSPORT=uni_sse runs README's plain EventSource example in Chromium instead.
//
// Environment: FLUXER_HTTP_URL (http://127.0.0.1:PORT), FLUXER_ENCODING (json | protobuf),
// FLUXER_TRANSPORT (websocket | http_stream | sse | uni_sse), FLUXER_RUNTIME (node | chromium),
// FLUXER_USER_A (the user of FLUXER_TOKEN_A, disconnected through the server API),
// FLUXER_TOKEN_CHANNELS (a token whose channels claim holds FLUXER_CHANNEL), FLUXER_TOKEN_A,
// FLUXER_TOKEN_B, FLUXER_TOKEN_EXPIRED, FLUXER_TOKEN_FRESH, FLUXER_CHANNEL, FLUXER_API_KEY,
// FLUXER_CHROMIUM (default /usr/bin/chromium), FLUXER_DEBUG.
import { Centrifuge } from 'centrifuge';
import { Centrifuge as ProtobufCentrifuge } from 'centrifuge/build/protobuf';
import { EventSource } from 'eventsource';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { fileURLToPath } from 'node:url';
import { sdkScenario } from './sdk-scenario.mjs';
import { describe, scriptRun, stepWaits } from './wait.mjs';

const STEP_MS = 5000;
const { note, fail, succeed, env } = scriptRun('sdk-matrix', 40000);
const base = env('FLUXER_HTTP_URL');
const transport = env('FLUXER_TRANSPORT');
const runtime = env('FLUXER_RUNTIME', 'node');
const protobuf = env('FLUXER_ENCODING', 'json') === 'protobuf';
const endpoints = {
  websocket: base.replace(/^http/, 'ws') + '/connection/websocket',
  http_stream: base + '/connection/http_stream',
  sse: base + '/connection/sse',
};
const cfg = {
  transports: [{ transport, endpoint: endpoints[transport] }],
  emulationEndpoint: base + '/emulation',
  protobuf,
  userA: env('FLUXER_USER_A', 'alice'),
  tokenA: env('FLUXER_TOKEN_A'),
  tokenB: env('FLUXER_TOKEN_B'),
  expiredToken: env('FLUXER_TOKEN_EXPIRED', 'unused'),
  freshToken: env('FLUXER_TOKEN_FRESH', 'unused'),
  channel: env('FLUXER_CHANNEL'),
  apiUrl: base,
  apiKey: env('FLUXER_API_KEY'),
};

async function inNode() {
  const sdk = protobuf ? ProtobufCentrifuge : Centrifuge;
  return sdkScenario(sdk, cfg, note, stepWaits(STEP_MS), { websocket: WebSocket, eventsource: EventSource });
}

function launch() {
  return chromium.launch({
    executablePath: process.env.FLUXER_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** In a page of the relay's own origin (answered by the browser itself), with the SDK's browser build. */
async function inChromium() {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    page.on('console', (m) => note(`page ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => note(`page error: ${e.message}`));
    // A document the relay itself answers (its 404 page), so the page has the relay's origin and
    // address: the SDK's requests are same-origin as on a real site, and Chromium's Local Network
    // Access checks see a loopback page reaching loopback (a page the browser answered itself would
    // count as public and have its WebSockets to 127.0.0.1 blocked).
    await page.goto(`${base}/sdk-matrix.html`);
    const build = protobuf ? 'centrifuge.protobuf.js' : 'centrifuge.js';
    await page.addScriptTag({ path: fileURLToPath(new URL(`./node_modules/centrifuge/dist/${build}`, import.meta.url)) });
    // wait.mjs's own helpers, as page globals (stepWaits uses describe).
    await page.addScriptTag({ content: `${describe}\n${stepWaits}\nglobalThis.fluxerStepWaits = stepWaits;` });
    await page.exposeFunction('fluxerNote', (line) => note(line));
    return await page.evaluate(async ({ source, cfg, stepMs }) => {
      const scenario = new Function(`return (${source});`)();
      return scenario(window.Centrifuge, cfg, (line) => window.fluxerNote(line), window.fluxerStepWaits(stepMs), {});
    }, { source: sdkScenario.toString(), cfg, stepMs: STEP_MS });
  } finally {
    await browser.close();
  }
}

/**
 * README's plain EventSource example for uni_sse, in Chromium: the token's channels claim
 * subscribes; a publication through the server API arrives as a plain push.
 */
async function uniSseInChromium() {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    page.on('console', (m) => note(`page ${m.type()}: ${m.text()}`));
    await page.goto(`${base}/uni-sse.html`); // the relay's 404 page: its origin, as in inChromium
    return await page.evaluate(async ({ base, token, channel, apiKey }) => {
      const pushes = [];
      const connect = encodeURIComponent(JSON.stringify({ token }));
      const events = new EventSource(`${base}/connection/uni_sse?cf_connect=${connect}`);
      const arrived = (test, label) => new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}: ${JSON.stringify(pushes)}`)), 5000);
        const check = () => {
          const found = pushes.find(test);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else {
            events.addEventListener('message', check, { once: true });
          }
        };
        check();
      });
      events.addEventListener('message', (e) => pushes.push(JSON.parse(e.data)));
      const connected = await arrived((p) => p.connect, 'the connect push');
      const answer = await fetch(`${base}/api/publish`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-API-Key': apiKey },
        body: JSON.stringify({ channel, data: { text: 'hello' } }),
      });
      if (!answer.ok) throw new Error(`publish answered ${answer.status}`);
      const pub = await arrived((p) => p.pub, 'the publication');
      events.close();
      return { transport: 'uni_sse', subs: Object.keys(connected.connect.subs || {}), channel: pub.channel, data: pub.pub.data };
    }, { base, token: env('FLUXER_TOKEN_CHANNELS'), channel: cfg.channel, apiKey: cfg.apiKey });
  } finally {
    await browser.close();
  }
}

let run;
if (transport === 'uni_sse') {
  run = uniSseInChromium;
} else if (!endpoints[transport]) {
  fail(`unknown FLUXER_TRANSPORT ${transport}`);
} else if (protobuf && transport === 'sse') {
  fail('SSE carries JSON only');
} else {
  run = { node: inNode, chromium: inChromium }[runtime];
  if (!run) fail(`unknown FLUXER_RUNTIME ${runtime}`);
}
if (run) {
  run().then((summary) => succeed({ ...summary, runtime, encoding: protobuf ? 'protobuf' : 'json' }),
    (e) => fail(describe(e, true)));
}
