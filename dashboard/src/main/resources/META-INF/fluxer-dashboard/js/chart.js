// A rolling time-series chart over uPlot. The container keeps data-points (samples plotted)
// and data-last (last value of the series named by `lastOf`) up to date for tests and tooling.
import uPlot from 'uplot';

const MIN_WIDTH = 240;

function cssVar(node, name, fallback) {
  const v = getComputedStyle(node).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * @param {HTMLElement} container
 * @param {object} o
 * @param {{label: string, color: string}[]} o.series  color: a CSS variable name or a color
 * @param {number} [o.windowSeconds] how much history to keep (default 300)
 * @param {number} [o.lastOf] index of the series reported in data-last
 * @param {(v: number) => string} [o.format] y value format
 * @param {string} o.label accessible description of the chart
 */
export function timeChart(container, { series, windowSeconds = 300, lastOf = 0, format = String, height = 220, label }) {
  const plot = document.createElement('div');
  plot.className = 'chart-plot';
  plot.setAttribute('role', 'img');
  plot.setAttribute('aria-label', label);
  container.append(plot);

  const text = cssVar(container, '--text-muted', '#555');
  const grid = cssVar(container, '--border', '#ddd');
  const data = [[], ...series.map(() => [])];
  const width = () => Math.max(MIN_WIDTH, Math.floor(container.clientWidth || MIN_WIDTH));
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };

  const u = new uPlot({
    width: width(),
    height,
    cursor: { drag: { x: false, y: false } },
    legend: { show: true },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
    axes: [axis, { ...axis, size: 56, values: (_u, ticks) => ticks.map(format) }],
    series: [
      {},
      ...series.map((s) => {
        const color = s.color.startsWith('--') ? cssVar(container, s.color, '#36c') : s.color;
        return { label: s.label, stroke: color, width: 2, fill: `${color}22`, value: (_u, v) => (v == null ? '–' : format(v)) };
      }),
    ],
  }, data, plot);

  const observer = new ResizeObserver(() => {
    const w = width();
    if (w !== u.width) u.setSize({ width: w, height });
  });
  observer.observe(container);

  function publish() {
    const n = data[0].length;
    container.dataset.points = String(n);
    container.dataset.last = n ? String(data[lastOf + 1][n - 1]) : '';
    u.setData(data);
  }

  return {
    /** Adds a sample at `t` (epoch seconds); a sample at or before the last one replaces it. */
    push(t, values) {
      const xs = data[0];
      const n = xs.length;
      const replace = n > 0 && t <= xs[n - 1];
      if (replace) {
        values.forEach((v, i) => { data[i + 1][n - 1] = v; });
      } else {
        xs.push(t);
        values.forEach((v, i) => data[i + 1].push(v));
      }
      const cutoff = Math.max(t, xs[xs.length - 1]) - windowSeconds;
      let drop = 0;
      while (drop < xs.length - 1 && xs[drop] < cutoff) drop++;
      if (drop) data.forEach((col) => col.splice(0, drop));
      publish();
    },
    destroy() {
      observer.disconnect();
      u.destroy();
    },
  };
}
