// Runs the official `centrifuge` SDK over the emulated HTTP transports against a relay: under
// Node with `http_stream` (Node has fetch and ReadableStream, not EventSource), or in Debian's
// Chromium with `sse` (the browser's own EventSource and fetch, through playwright-core). The
// scenario itself is in sdk-emulation-scenario.mjs. Run by SdkEmulationTest.
//
// Environment: FLUXER_HTTP_URL (http://127.0.0.1:PORT), FLUXER_TRANSPORT (http_stream | sse),
// FLUXER_TOKEN_A, FLUXER_TOKEN_B, FLUXER_TOKEN_EXPIRED, FLUXER_TOKEN_FRESH, FLUXER_CHANNEL,
// FLUXER_API_KEY, FLUXER_CHROMIUM (default /usr/bin/chromium), FLUXER_DEBUG.
import { Centrifuge } from 'centrifuge';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { emulationScenario } from './sdk-emulation-scenario.mjs';
import { describe, scriptRun } from './wait.mjs';

const { note, fail, succeed, env } = scriptRun('sdk-emulation', 40000);
const base = env('FLUXER_HTTP_URL');
const transport = env('FLUXER_TRANSPORT');
const endpoints = { http_stream: '/connection/http_stream', sse: '/connection/sse' };
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

(transport === 'sse' ? inChromium() : inNode()).then((summary) => succeed(summary), (e) => fail(describe(e, true)));
