// One-off manual check against scripts/run_dev.sh --oidc (not committed).
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
const T = 'http://127.0.0.1:8180/realms/fluxer/protocol/openid-connect/token';
let calls = 0;
async function getToken() {
  calls++;
  const r = await fetch(T, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'fluxer-web', username: 'alice', password: 'alice-dev-password', scope: 'openid' }) });
  return (await r.json()).access_token;
}
const c = new Centrifuge('ws://127.0.0.1:8000/connection/websocket', { websocket: WebSocket, getToken });
const connected = new Promise((res, rej) => { c.on('connected', res); c.on('disconnected', rej); setTimeout(() => rej(new Error('timeout')), 10000); });
c.connect();
const ctx = await connected;
const sub = c.newSubscription('chat:kc');
const got = new Promise((res) => sub.on('publication', (p) => res(p)));
sub.subscribe();
await new Promise((res) => sub.on('subscribed', res));
await sub.publish({ text: 'hello from alice' });
const pub = await got;
console.log('SDK: connected client', ctx.client, 'getToken calls', calls, 'publication from', pub.info && pub.info.user, JSON.stringify(pub.data));
c.disconnect();

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
for (const [user, expectActions] of [['alice', true], ['carol', false]]) {
  const page = await (await browser.newContext()).newPage();
  await page.goto('http://127.0.0.1:8000/dashboard/');
  await page.click('text=Sign in with Keycloak');
  await page.waitForSelector('#username', { timeout: 15000 });
  await page.fill('#username', user);
  await page.fill('#password', `${user}-dev-password`);
  await page.click('#kc-login');
  try { await page.waitForSelector("#whoami", { state: "visible", timeout: 15000 }); } catch (e) { await page.screenshot({ path: `/tmp/kc-fail-${user}.png` }); console.log("URL", page.url(), (await page.content()).slice(0, 1500)); throw e; }
  const who = await page.textContent('#whoami');
  await page.goto('http://127.0.0.1:8000/dashboard/#/settings');
  await page.waitForTimeout(1000);
  const actions = await page.locator('[data-action]').count();
  await page.screenshot({ path: `/tmp/kc-${user}.png` });
  console.log(`dashboard via Keycloak: ${user} -> whoami "${who.trim()}", actions on settings: ${actions}`);
}
await browser.close();
