// Runs the official `centrifuge` SDK over the emulated HTTP transports against a relay: under
// Node with `http_stream` (Node has fetch and ReadableStream, not EventSource), or in Debian's
// Chromium with `sse` (the browser's own EventSource and fetch, through playwright-core). The
// scenario itself is in sdk-emulation-scenario.mjs. Run by SdkEmulationTest.
//
// FLUXER_TRANSPORT=uni_sse runs README's plain EventSource example in Chromium instead.
//
// Environment: FLUXER_HTTP_URL (http://127.0.0.1:PORT), FLUXER_TRANSPORT (http_stream | sse | uni_sse),
// FLUXER_TOKEN_CHANNELS (a token whose channels claim holds FLUXER_CHANNEL), FLUXER_TOKEN_A, FLUXER_TOKEN_B, FLUXER_TOKEN_EXPIRED, FLUXER_TOKEN_FRESH, FLUXER_CHANNEL,
// FLUXER_API_KEY, FLUXER_CHROMIUM (default /usr/bin/chromium), FLUXER_DEBUG.
import { Centrifuge } from 'centrifuge';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { emulationScenario } from './sdk-emulation-scenario.mjs';
import { describe, scriptRun } from './wait.mjs';

const { note, fail, succeed, env } = scriptRun('sdk-emulation', 40000);
const base = env('FLUXER_HTTP_URL');
const transport = env('FLUXER_TRANSPORT');
const endpoints = { http_stream: '/connection/http_stream', sse: '/connection/sse', uni_sse: '/connection/uni_sse' };
const cfg = {
  transports: [{ transport, endpoint: base + endpoints[transport] }],
  emulationEndpoint: base + '/emulation',
  tokenA: env('FLUXER_TOKEN_A'),
  tokenB: env('FLUXER_TOKEN_B'),
  expiredToken: env('FLUXER_TOKEN_EXPIRED'),
  freshToken: env('FLUXER_TOKEN_FRESH'),
  channel: env('FLUXER_CHANNEL'),
  apiUrl: base,
  apiKey: env('FLUXER_API_KEY'),
};

async function inNode() {
  return emulationScenario(Centrifuge, cfg, note);
}

/** In a page of the relay's own origin (served by the test), with the SDK's browser build. */
async function inChromium() {
  const browser = await chromium.launch({
    executablePath: process.env.FLUXER_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => note(`page ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => note(`page error: ${e.message}`));
    // The page is answered by the browser itself, under the relay's origin, so the SDK's
    // requests to /connection/sse and /emulation are same-origin as on a real site.
    await page.route(`${base}/sdk-emulation.html`, (route) => route.fulfill({
      contentType: 'text/html', body: '<!doctype html><title>sdk</title>',
    }));
    await page.goto(`${base}/sdk-emulation.html`);
    const sdk = fileURLToPath(new URL('./node_modules/centrifuge/dist/centrifuge.js', import.meta.url));
    await page.addScriptTag({ path: sdk });
    await page.exposeFunction('fluxerNote', (line) => note(line));
    const source = emulationScenario.toString();
    return await page.evaluate(async ({ source, cfg }) => {
      const scenario = new Function(`return (${source});`)();
      return scenario(window.Centrifuge, cfg, (line) => window.fluxerNote(line));
    }, { source, cfg });
  } finally {
    await browser.close();
  }
}

/**
 * README's plain EventSource example for uni_sse, in Chromium: the token's channels claim
 * subscribes; a publication through the server API arrives as a plain push.
 */
async function uniSseInChromium() {
  const browser = await chromium.launch({
    executablePath: process.env.FLUXER_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => note(`page ${m.type()}: ${m.text()}`));
    await page.route(`${base}/uni-sse.html`, (route) => route.fulfill({
      contentType: 'text/html', body: '<!doctype html><title>uni_sse</title>',
    }));
    await page.goto(`${base}/uni-sse.html`);
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

const runs = { sse: inChromium, http_stream: inNode, uni_sse: uniSseInChromium };
if (!runs[transport]) {
  fail(`unknown FLUXER_TRANSPORT ${transport}`);
} else {
  runs[transport]().then((summary) => succeed(summary), (e) => fail(describe(e, true)));
}
