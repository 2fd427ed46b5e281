// A time-series chart over uPlot whose x axis is always the window ending now ([now - window, now]),
// with ticks at whole minutes (HH:MM) and, for counts, integer y ticks. The legend (ours, not
// uPlot's) names each series with its latest value, or the hovered point's. The container keeps
// data-points (samples plotted), data-last (last value of the series named by `lastOf`) and
// data-x-ticks / data-y-ticks (the tick labels drawn last, as JSON) up to date for tests and tooling.
import uPlot from 'uplot';
import { el } from './ui.js';

const MIN_WIDTH = 240;
const MINUTE = 60;
/** Tick steps of the time axis, in seconds: the first one at least TICK_SPACE px apart is used. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30].map((m) => m * MINUTE);
const TICK_SPACE = 56;
/** 1, 2, 5, 10, 20, 50, … from `smallest` up: the steps of the y axis (integers only for counts). */
const niceSteps = (smallest) => Array.from({ length: 36 }, (_, i) => [1, 2, 5][i % 3] * 10 ** (Math.floor(i / 3) - 3))
  .filter((s) => s >= smallest - 1e-9);

function cssVar(node, name, fallback) {
  const v = getComputedStyle(node).getPropertyValue(name).trim();
  return v || fallback;
}

const pad2 = (n) => String(n).padStart(2, '0');
/** Epoch seconds as local HH:MM. */
export const clock = (t) => {
  const d = new Date(t * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
};

/**
 * @param {HTMLElement} container
 * @param {object} o
 * @param {{label: string, color: string}[]} o.series  color: a CSS variable name or a color
 * @param {number} o.windowSeconds the x axis: the last windowSeconds up to now
 * @param {boolean} [o.integer] counts: integer y ticks
 * @param {number} [o.lastOf] index of the series reported in data-last
 * @param {(v: number) => string} [o.format] value format (legend)
 * @param {string} o.label accessible description of the chart
 */
export function timeChart(container, { series, windowSeconds, integer = false, lastOf = 0, format = String, height = 220, label }) {
  const legendValues = series.map(() => el('span', { class: 'chart-legend-value' }));
  const legendTime = el('span', { class: 'chart-legend-time' });
  const swatch = (s) => {
    const node = el('span', { class: 'chart-legend-swatch' });
    node.style.background = colorOf(s);
    return node;
  };
  const legend = el('div', { class: 'chart-legend' }, legendTime,
    series.map((s, i) => el('span', { class: 'chart-legend-item' }, swatch(s), s.label, ' ', legendValues[i])));
  const plot = el('div', { class: 'chart-plot', role: 'img', 'aria-label': label });
  container.append(plot, legend);

  function colorOf(s) {
    return s.color.startsWith('--') ? cssVar(container, s.color, '#36c') : s.color;
  }

  let win = windowSeconds;
  const text = cssVar(container, '--text-muted', '#555');
  const grid = cssVar(container, '--border', '#ddd');
  let data = [[], ...series.map(() => [])];
  const width = () => Math.max(MIN_WIDTH, Math.floor(plot.clientWidth || MIN_WIDTH)); // inside the padding
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const now = () => Date.now() / 1000;

  /** Whole-minute ticks in [min, max], at the smallest step that leaves room for the labels. */
  function timeSplits(u, _i, min, max) {
    const px = u.bbox.width / uPlot.pxRatio || u.width;
    const step = TIME_STEPS.find((s) => (px * s) / (max - min) >= TICK_SPACE) || TIME_STEPS.at(-1);
    const ticks = [];
    for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t);
    return ticks;
  }
  function timeValues(_u, ticks) {
    const labels = ticks.map(clock);
    container.dataset.xTicks = JSON.stringify(labels);
    return labels;
  }
  function yValues(_u, ticks, _i, _space, step) {
    const decimals = integer || step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step) - 1e-9));
    const f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    const labels = ticks.map((v) => f.format(v));
    container.dataset.yTicks = JSON.stringify(labels);
    return labels;
  }

  const u = new uPlot({
    width: width(),
    height,
    cursor: { drag: { x: false, y: false } },
    legend: { show: false },
    scales: {
      x: { time: true, range: () => [now() - win, now()] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
    },
    axes: [
      { ...axis, splits: timeSplits, values: timeValues },
      { ...axis, size: 60, incrs: niceSteps(integer ? 1 : 0.01), values: yValues },
    ],
    series: [{}, ...series.map((s) => {
      const color = colorOf(s);
      return { label: s.label, stroke: color, width: 2, fill: `${color}22` };
    })],
    hooks: { setCursor: [() => showLegend()] },
  }, data, plot);

  /** The hovered point's time and values, else the latest values. */
  function showLegend() {
    const n = data[0].length;
    const hovered = u.cursor.idx;
    const i = hovered ?? n - 1;
    legendTime.textContent = hovered != null && n ? clock(data[0][i]) : '';
    legendValues.forEach((v, s) => { v.textContent = n ? format(data[s + 1][i]) : ''; });
  }

  const observer = new ResizeObserver(() => {
    const w = width();
    if (w !== u.width) u.setSize({ width: w, height });
  });
  observer.observe(container);

  function publish() {
    const cutoff = now() - win;
    let drop = 0;
    while (drop < data[0].length && data[0][drop] < cutoff) drop++;
    if (drop) data.forEach((col) => col.splice(0, drop));
    const n = data[0].length;
    container.dataset.points = String(n);
    container.dataset.last = n ? String(data[lastOf + 1][n - 1]) : '';
    container.dataset.window = String(win);
    u.setData(data);
    showLegend();
  }

  return {
    /** Adds a sample at `tMs` (epoch ms); a sample at or before the last one replaces it. */
    push(tMs, values) {
      const t = tMs / 1000;
      const n = data[0].length;
      if (n > 0 && t <= data[0][n - 1]) {
        values.forEach((v, i) => { data[i + 1][n - 1] = v; });
      } else {
        data[0].push(t);
        values.forEach((v, i) => data[i + 1].push(v));
      }
      publish();
    },
    /**
     * Replaces the plotted points by `ts` (epoch ms, oldest first) and `columns` (one array per
     * series) over a window of `seconds`; points already plotted after the last of them are kept.
     */
    fill(seconds, ts, columns) {
      const last = ts.length ? ts.at(-1) / 1000 : -Infinity;
      const keep = data[0].findIndex((t) => t > last);
      const tail = keep < 0 ? [] : data.map((col) => col.slice(keep));
      data = [ts.map((t) => t / 1000), ...columns.map((c) => [...c])];
      tail.forEach((col, i) => data[i].push(...col));
      win = seconds;
      publish();
    },
    /** Removes every point and shows a window of `seconds`. */
    clear(seconds) {
      data = [[], ...series.map(() => [])];
      win = seconds;
      publish();
    },
    /** Moves the window on to now (call every second or so). */
    tick: publish,
    destroy() {
      observer.disconnect();
      u.destroy();
    },
  };
}
