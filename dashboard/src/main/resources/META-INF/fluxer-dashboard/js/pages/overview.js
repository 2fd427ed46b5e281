// Cluster overview: totals, nodes, engines and live charts, fed by sys:stats (each node publishes
// its own stats every interval) and seeded from GET /api/v1/stats and /api/v1/nodes; the charts
// start from GET /api/v1/stats/history over the chosen window (5 min or 1 h, kept in sessionStorage).
// The latency chart is publish to write (the broker handing a publication over until an event loop
// queued it to its subscribers), the worst node's p50 and p99 of each interval.
import { timeChart } from '../chart.js';
import { fmt, fmtHeap, notice } from '../ui.js';

const STATS_CHANNEL = 'sys:stats';
const DEFAULT_INTERVAL_MS = 1000;
const MISSED_INTERVALS = 3; // a node not heard from for this many intervals counts as down
const POLL_MS = 5000; // when live stats are unavailable
/** The chart windows the relay keeps (GET /api/v1/stats/history?window=…), with its step per point. */
const WINDOWS = {
  '5m': { label: '5 min', caption: 'last 5 minutes', seconds: 300, stepMs: 1000 },
  '1h': { label: '1 h', caption: 'last hour', seconds: 3600, stepMs: 10000 },
};
const WINDOW_KEY = 'fluxer.overview.window';
const NODE_COLUMNS = ['Node', 'Status', 'Connections', 'Subscriptions', 'Msgs in /s', 'Msgs out /s', 'Heap', 'Uptime'];

/** One node's figures, from the full stats (sys:stats, /api/v1/stats) or the /api/v1/nodes summary. */
function nodeFigures(n) {
  const rates = n.per_second || {};
  return {
    id: n.id,
    name: n.name || n.id,
    address: n.address || '',
    ready: n.ready !== false,
    connections: n.connections || 0,
    subscriptions: n.subscriptions || 0,
    channels: n.channels || 0,
    messagesIn: rates.messages_in ?? n.messages_in_per_second ?? 0,
    messagesOut: rates.messages_out ?? n.messages_out_per_second ?? 0,
    heap: n.heap,
    uptime: n.uptime_seconds,
    latency: n.health?.publish_to_write || null,
    engines: Array.isArray(n.health?.engines) ? n.health.engines : [],
    at: n.timestamp || 0,
    // counted since the node started; only the full stats carry them (not the /api/v1/nodes summary)
    totals: n.messages_in === undefined ? null : {
      messagesIn: n.messages_in,
      messagesOut: n.messages_out,
      bytesIn: n.bytes_in,
      bytesOut: n.bytes_out,
      connects: n.connects,
      slowDrops: n.slow_client_drops,
    },
  };
}

const TOTALS = [
  ['messagesIn', 'Messages in', (v) => fmt.int(v)],
  ['messagesOut', 'Messages out', (v) => fmt.int(v)],
  ['bytesIn', 'Bytes in', (v) => fmt.bytes(v)],
  ['bytesOut', 'Bytes out', (v) => fmt.bytes(v)],
  ['connects', 'Connects', (v) => fmt.int(v)],
  ['slowDrops', 'Slow clients dropped', (v) => fmt.int(v)],
];

const count = (n) => String(Math.round(n));
const ms = (v) => (Number.isFinite(v) ? `${v < 1 ? v.toFixed(3) : v < 10 ? v.toFixed(2) : v.toFixed(1)} ms` : '–');
const ENGINE_COLUMNS = ['Node', 'Engine', 'Status', 'Probe', 'Problem'];

export default {
  id: 'overview',
  title: 'Overview',
  render(root, ctx) {
    const { el } = ctx;
    let alive = true;
    let pollTimer = null;
    let lastHeard = 0;
    const nodes = new Map(); // id -> figures + {lastSeen, interval}
    let windowId = WINDOWS[sessionStorage.getItem(WINDOW_KEY)] ? sessionStorage.getItem(WINDOW_KEY) : '5m';
    let historyRequest = 0; // the latest, so an older answer is dropped
    let bucket = null; // the step being plotted: {t, n, in, out}

    const stat = (label, testid) => el('div', { class: 'stat' },
      el('span', { class: 'stat-label' }, label),
      el('span', { class: 'stat-value', 'data-testid': testid }, '–'));
    const cards = {
      connections: stat('Connections', 'conn-count'),
      subscriptions: stat('Subscriptions', 'sub-count'),
      channels: stat('Channels', 'channel-count'),
      messagesIn: stat('Messages in /s', 'msgs-in'),
      messagesOut: stat('Messages out /s', 'msgs-out'),
      p99: stat('Latency p99', 'latency-p99'),
      nodes: stat('Nodes up', 'nodes-up'),
    };
    const totalValues = new Map(TOTALS.map(([key]) => [key, el('dd', { 'data-total': key }, '–')]));
    const totalsList = el('dl', { class: 'totals', 'data-testid': 'totals' },
      TOTALS.map(([key, label]) => el('div', {}, el('dt', {}, label), totalValues.get(key))));
    const status = el('p', { class: 'muted status-line' }, 'Waiting for live stats…');
    const problems = el('div');
    const tbody = el('tbody');
    const captionConnections = el('figcaption');
    const captionMessages = el('figcaption');
    const chartConnections = el('figure', { class: 'chart', 'data-testid': 'chart-connections', 'data-points': '0', 'data-last': '' },
      captionConnections);
    const chartMessages = el('figure', { class: 'chart', 'data-testid': 'chart-messages', 'data-points': '0', 'data-last': '' },
      captionMessages);
    const captionLatency = el('figcaption');
    const chartLatency = el('figure', { class: 'chart', 'data-testid': 'chart-latency', 'data-points': '0', 'data-last': '' },
      captionLatency);
    const engineRows = el('tbody');
    const engineNote = el('p', { class: 'muted', 'data-testid': 'engines-note' });
    const windowButtons = Object.entries(WINDOWS).map(([id, w]) => el('button', {
      class: 'btn btn-small', type: 'button', dataset: { window: id }, onclick: () => chooseWindow(id),
    }, w.label));
    const picker = el('div', { class: 'window-picker', role: 'group', 'aria-label': 'Chart window', 'data-testid': 'chart-window' },
      el('span', { class: 'muted' }, 'Charts:'), windowButtons);

    root.append(
      el('div', { class: 'stats' }, Object.values(cards)),
      status,
      problems,
      picker,
      el('div', { class: 'charts' }, chartConnections, chartMessages, chartLatency),
      el('h2', {}, 'Since the nodes started'),
      totalsList,
      el('h2', {}, 'Engines'),
      engineNote,
      el('div', { class: 'table-wrap' },
        el('table', { class: 'table table-cards', 'data-testid': 'engines' },
          el('thead', {}, el('tr', {}, ENGINE_COLUMNS.map((h, i) => el('th', { scope: 'col', class: i === 3 ? 'num' : null }, h)))),
          engineRows)),
      el('h2', {}, 'Nodes'),
      el('div', { class: 'table-wrap' },
        el('table', { class: 'table table-cards nodes-table', 'data-testid': 'nodes' },
          el('thead', {}, el('tr', {},
            NODE_COLUMNS.map((h, i) => el('th', { scope: 'col', class: i >= 2 && i <= 5 ? 'num' : null }, h)))),
          tbody)),
    );

    const connections = timeChart(chartConnections, {
      label: 'Line chart of connections over the chosen window',
      series: [{ label: 'Connections', color: '--chart-1' }],
      windowSeconds: WINDOWS[windowId].seconds,
      integer: true,
      format: count,
    });
    const messages = timeChart(chartMessages, {
      label: 'Line chart of messages in and out per second over the chosen window',
      series: [{ label: 'In /s', color: '--chart-2' }, { label: 'Out /s', color: '--chart-1' }],
      windowSeconds: WINDOWS[windowId].seconds,
      lastOf: 1,
      format: fmt.rate,
    });
    const latency = timeChart(chartLatency, {
      label: 'Line chart of the publish to write latency, p50 and p99 of the worst node, over the chosen window',
      series: [{ label: 'p50', color: '--chart-1' }, { label: 'p99', color: '--chart-2' }],
      windowSeconds: WINDOWS[windowId].seconds,
      lastOf: 1,
      format: ms,
    });

    /** Shows the window and fills both charts from the relay's history of it. */
    async function showWindow() {
      const w = WINDOWS[windowId];
      captionConnections.textContent = `Connections, ${w.caption}`;
      captionMessages.textContent = `Messages per second, ${w.caption}`;
      captionLatency.textContent = `Publish to write latency, ${w.caption}`;
      windowButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.window === windowId)));
      const request = ++historyRequest;
      const h = await ctx.api.get(`/api/v1/stats/history?window=${windowId}`);
      if (!alive || request !== historyRequest) return;
      const ts = h.t.map((t) => Math.floor(t / w.stepMs) * w.stepMs);
      connections.fill(w.seconds, ts, [h.connections]);
      messages.fill(w.seconds, ts, [h.messages_in_per_second, h.messages_out_per_second]);
      const p50 = h.publish_to_write_p50_ms || ts.map(() => 0);
      const p99 = h.publish_to_write_p99_ms || ts.map(() => 0);
      latency.fill(w.seconds, ts, [p50, p99]);
      const n = ts.length;
      bucket = n ? {
        t: ts[n - 1], n: 1, in: h.messages_in_per_second[n - 1], out: h.messages_out_per_second[n - 1], p50: p50[n - 1], p99: p99[n - 1],
      } : null;
    }

    function chooseWindow(id) {
      if (id === windowId) return;
      windowId = id;
      sessionStorage.setItem(WINDOW_KEY, id);
      bucket = null;
      // the other window's points are in other steps: none of them is kept
      connections.clear(WINDOWS[id].seconds);
      messages.clear(WINDOWS[id].seconds);
      latency.clear(WINDOWS[id].seconds);
      showWindow().catch((err) => explain(err, 'The chart history'));
    }

    const isUp = (n, now) => now - n.lastSeen <= MISSED_INTERVALS * n.interval + 250;

    function totals(now) {
      const sum = { connections: 0, subscriptions: 0, channels: 0, messagesIn: 0, messagesOut: 0, up: 0, p50: 0, p99: 0 };
      for (const n of nodes.values()) {
        if (!isUp(n, now)) continue;
        sum.up++;
        sum.connections += n.connections;
        sum.subscriptions += n.subscriptions;
        sum.channels += n.channels;
        sum.messagesIn += n.messagesIn;
        sum.messagesOut += n.messagesOut;
        sum.p50 = Math.max(sum.p50, n.latency?.p50_ms || 0);
        sum.p99 = Math.max(sum.p99, n.latency?.p99_ms || 0);
      }
      return sum;
    }

    /** Counters since start, summed over the nodes up that reported them. */
    function showTotals(now) {
      const sums = Object.fromEntries(TOTALS.map(([key]) => [key, null]));
      for (const n of nodes.values()) {
        if (!isUp(n, now) || !n.totals) continue;
        for (const [key] of TOTALS) sums[key] = (sums[key] ?? 0) + (n.totals[key] ?? 0);
      }
      for (const [key, , format] of TOTALS) totalValues.get(key).textContent = sums[key] === null ? '–' : format(sums[key]);
    }

    function show() {
      const now = Date.now();
      const sum = totals(now);
      const value = (card) => card.querySelector('.stat-value');
      value(cards.connections).textContent = count(sum.connections);
      value(cards.subscriptions).textContent = count(sum.subscriptions);
      value(cards.channels).textContent = count(sum.channels);
      value(cards.messagesIn).textContent = fmt.rate(sum.messagesIn);
      value(cards.messagesOut).textContent = fmt.rate(sum.messagesOut);
      value(cards.p99).textContent = sum.p99 > 0 ? ms(sum.p99) : '–';
      cards.p99.title = 'Publish to write, the worst node, last interval; – while nothing was published';
      value(cards.nodes).textContent = `${sum.up} / ${nodes.size}`;
      showTotals(now);
      showNodes(now);
      showEngines(now);
      if (lastHeard && !pollTimer) {
        const silent = Math.round((now - lastHeard) / 1000);
        status.textContent = silent > MISSED_INTERVALS
          ? `No live stats for ${silent} s: the connection to the relay may be down.`
          : `Live · updated ${fmt.time(lastHeard)}`;
      }
      return sum;
    }

    function showNodes(now) {
      const rows = new Map([...tbody.rows].map((tr) => [tr.dataset.node, tr]));
      const sorted = [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      sorted.forEach((n, i) => {
        let tr = rows.get(n.id);
        rows.delete(n.id);
        if (!tr) {
          tr = el('tr', { dataset: { node: n.id } });
          NODE_COLUMNS.forEach((label, c) => tr.append(el(c === 0 ? 'th' : 'td', {
            scope: c === 0 ? 'row' : null, class: c >= 2 && c <= 5 ? 'num' : null, dataset: { label },
          })));
        }
        if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] || null);
        const up = isUp(n, now);
        const state = !up ? 'down' : n.ready ? 'up' : 'draining';
        tr.dataset.state = state;
        const cells = tr.cells;
        cells[0].replaceChildren(el('span', {}, n.name), n.address ? el('span', { class: 'sub' }, n.address) : null);
        cells[1].replaceChildren(el('span', { class: `badge badge-${state}` }, state));
        cells[2].textContent = count(n.connections);
        cells[3].textContent = count(n.subscriptions);
        cells[4].textContent = fmt.rate(n.messagesIn);
        cells[5].textContent = fmt.rate(n.messagesOut);
        cells[6].textContent = fmtHeap(n.heap);
        cells[7].textContent = fmt.duration(n.uptime);
      });
      rows.forEach((tr) => tr.remove());
    }

    /** Each node's engines and their last probe; memory engines have nothing to probe. */
    function showEngines(now) {
      const rows = [];
      const sorted = [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      for (const n of sorted) {
        for (const e of n.engines) {
          const state = !isUp(n, now) ? 'unknown' : e.reachable ? 'reachable' : 'unreachable';
          rows.push(el('tr', { dataset: { node: n.id, engine: e.engine, state } },
            el('th', { scope: 'row', 'data-label': ENGINE_COLUMNS[0] }, n.name),
            el('td', { 'data-label': ENGINE_COLUMNS[1] }, e.engine),
            el('td', { 'data-label': ENGINE_COLUMNS[2] },
              el('span', { class: `badge badge-${state === 'reachable' ? 'up' : state === 'unknown' ? 'draining' : 'down'}` }, state)),
            el('td', { 'data-label': ENGINE_COLUMNS[3], class: 'num' }, e.reachable ? ms(e.latency_ms) : '–'),
            el('td', { 'data-label': ENGINE_COLUMNS[4], class: 'wrap' }, e.problem || '–')));
        }
      }
      engineRows.replaceChildren(...rows);
      engineRows.closest('.table-wrap').hidden = rows.length === 0;
      engineNote.textContent = rows.length ? 'Probed every stats interval: Redis with PING, PostgreSQL with SELECT 1.'
        : 'In-memory engines only: there is no Redis or PostgreSQL to probe.';
    }

    function heard(figures, interval) {
      const prev = nodes.get(figures.id);
      let estimate = interval;
      if (interval === DEFAULT_INTERVAL_MS && prev && prev.at && figures.at > prev.at) {
        // smoothed, so one late publication does not shrink or stretch the window much
        const base = prev.interval < POLL_MS ? prev.interval : DEFAULT_INTERVAL_MS;
        estimate = Math.min(60000, Math.max(250, 0.8 * base + 0.2 * (figures.at - prev.at)));
      }
      const totals = figures.totals ?? (prev ? prev.totals : null); // a summary does not erase them
      nodes.set(figures.id, { ...figures, totals, lastSeen: Date.now(), interval: estimate });
    }

    /** A sample into the window's step, as the relay keeps them: the last counts, the rates averaged. */
    function plot(atMillis, sum) {
      const step = WINDOWS[windowId].stepMs;
      const t = Math.floor(atMillis / step) * step;
      if (!bucket || bucket.t !== t) bucket = { t, n: 0, in: 0, out: 0, p50: 0, p99: 0 };
      bucket.n++;
      bucket.in += sum.messagesIn;
      bucket.out += sum.messagesOut;
      bucket.p50 = Math.max(bucket.p50, sum.p50);
      bucket.p99 = Math.max(bucket.p99, sum.p99);
      connections.push(t, [sum.connections]);
      messages.push(t, [bucket.in / bucket.n, bucket.out / bucket.n]);
      latency.push(t, [bucket.p50, bucket.p99]);
    }

    function onStats(data) {
      const node = data && data.node;
      if (!alive || !node || !node.id) return;
      heard(nodeFigures(node), DEFAULT_INTERVAL_MS);
      lastHeard = Date.now();
      plot(node.timestamp || lastHeard, show());
    }

    /** GET /api/v1/stats and /api/v1/nodes: the first sample, or every sample while live stats are unavailable. */
    async function load(asLive) {
      const [stats, list] = await Promise.all([ctx.api.get('/api/v1/stats'), ctx.api.get('/api/v1/nodes')]);
      if (!alive) return;
      const interval = asLive ? POLL_MS : DEFAULT_INTERVAL_MS;
      for (const n of list.nodes || []) if (asLive || !nodes.has(n.id)) heard(nodeFigures(n), interval);
      if (stats.node && (asLive || !nodes.has(stats.node.id) || !lastHeard)) heard(nodeFigures(stats.node), interval);
      if (asLive) {
        lastHeard = Date.now();
        status.textContent = `Live stats unavailable; refreshed every ${POLL_MS / 1000} s · ${fmt.time(lastHeard)}`;
        plot(lastHeard, show());
      }
      show();
    }

    function explain(err, what) {
      if (!alive || err.code === 'aborted') return;
      const text = err.status === 503
        ? `${what} is unavailable right now (the relay answered 503). It will show once the relay can answer.`
        : `${what} could not be loaded: ${err.message}`;
      problems.replaceChildren(notice(text));
    }

    function poll() {
      load(true).then(() => { if (alive) problems.replaceChildren(); }, (err) => explain(err, 'Cluster stats'));
    }

    load(false).catch((err) => explain(err, 'Cluster stats'));
    showWindow().catch((err) => explain(err, 'The chart history'));
    ctx.live.subscribe(STATS_CHANNEL, onStats, {
      onError(err) {
        if (!alive || pollTimer) return;
        problems.replaceChildren(notice(`Live stats are unavailable (${err.message}); showing figures refreshed every ${POLL_MS / 1000} s instead.`));
        pollTimer = setInterval(poll, POLL_MS);
      },
    });
    const ticker = setInterval(() => {
      show();
      connections.tick();
      messages.tick();
      latency.tick();
    }, 1000);

    return () => {
      alive = false;
      clearInterval(ticker);
      clearInterval(pollTimer);
      connections.destroy();
      messages.destroy();
      latency.destroy();
    };
  },
};
