package io.fluxer.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A self-contained SVG chart of the publishing scenarios: for fan-out and for many channels,
 * delivered messages/s (linear, with the offered rate marked) and p99 latency (log scale) per step,
 * one bar per run (relay, ceiling, ...), with the targets as dashed lines.
 */
final class SvgChart {
  private static final String[] COLOURS = {"#1f6fb4", "#e07b10", "#2ca02c", "#9467bd", "#8c564b"};
  private static final String CEILING_COLOUR = "#9a9a9a";
  private static final int PANEL_W = 470;
  private static final int PANEL_H = 270;
  private static final int LEFT = 70;
  private static final int TOP = 34;
  private static final int BOTTOM = 42;

  private record Target(double value, String text) {}

  private SvgChart() {}

  static String render(List<JsonObject> runs) {
    int width = 2 * PANEL_W + 20;
    int height = 2 * PANEL_H + 80;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    svg.append("<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">Fluxer relay vs bare Vert.x ceiling")
        .append(" (per step; publication rate on the x axis)</text>\n");
    legend(svg, runs, 10, 40);
    int y0 = 60;
    panel(svg, runs, "fanout", false, 0, y0, "Fan-out: delivered messages/s",
        List.of(new Target(500_000, "500k target"), new Target(1_000_000, "1M target")));
    panel(svg, runs, "fanout", true, PANEL_W + 20, y0, "Fan-out: p99 latency (ms, log)",
        List.of(new Target(50, "50 ms target")));
    panel(svg, runs, "channels", false, 0, y0 + PANEL_H + 10, "Many channels: delivered messages/s", List.of());
    panel(svg, runs, "channels", true, PANEL_W + 20, y0 + PANEL_H + 10, "Many channels: p99 latency (ms, log)",
        List.of(new Target(5, "5 ms target (at 5,000/s)")));
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void legend(StringBuilder svg, List<JsonObject> runs, int x, int y) {
    for (int i = 0; i < runs.size(); i++) {
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
              + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y - 10, colour(runs, i), x + 16, y,
          escape(runs.get(i).getString("label"))));
      x += 30 + 7 * runs.get(i).getString("label").length();
    }
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\" stroke-width=\"2\"/>"
        + "<text x=\"%d\" y=\"%d\">offered deliveries/s</text>%n", x, y - 4, x + 14, y - 4, x + 18, y));
    x += 140;
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c0392b\" "
        + "stroke-dasharray=\"5,3\"/><text x=\"%d\" y=\"%d\">target</text>%n", x, y - 4, x + 20, y - 4, x + 24, y));
  }

  private static String colour(List<JsonObject> runs, int i) {
    return ReportWriter.CEILING.equals(runs.get(i).getString("label")) ? CEILING_COLOUR : COLOURS[i % COLOURS.length];
  }

  private static void panel(StringBuilder svg, List<JsonObject> runs, String scenario, boolean latency, int px, int py,
                            String title, List<Target> targets) {
    TreeSet<Double> rates = new TreeSet<>();
    for (JsonObject r : runs) {
      JsonObject sc = ReportWriter.scenario(r, scenario);
      if (sc != null) {
        sc.getJsonArray("steps").forEach(s -> rates.add(((JsonObject) s).getDouble("rate")));
      }
    }
    int plotX = px + LEFT;
    int plotY = py + TOP;
    int plotW = PANEL_W - LEFT - 10;
    int plotH = PANEL_H - TOP - BOTTOM;
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
        px + 10, py + 18, escape(title)));
    if (rates.isEmpty()) {
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#666\">not run</text>%n",
          plotX + plotW / 2 - 20, plotY + plotH / 2));
      return;
    }
    List<Double> cats = new ArrayList<>(rates);
    // values[c][run]
    Double[][] values = new Double[cats.size()][runs.size()];
    double[] offered = new double[cats.size()];
    double max = 0;
    double min = Double.MAX_VALUE;
    for (int c = 0; c < cats.size(); c++) {
      for (int r = 0; r < runs.size(); r++) {
        JsonObject s = ReportWriter.stepAt(ReportWriter.scenario(runs.get(r), scenario), cats.get(c));
        if (s == null) {
          continue;
        }
        double v = latency ? s.getJsonObject("latency_ms").getDouble("p99") : s.getLong("delivered_per_s");
        values[c][r] = v;
        max = Math.max(max, v);
        if (v > 0) {
          min = Math.min(min, v);
        }
        if (!latency) {
          offered[c] = Math.max(offered[c], s.getLong("offered_per_s"));
          max = Math.max(max, offered[c]);
        }
      }
    }
    for (Target t : targets) {
      max = Math.max(max, t.value);
      min = Math.min(min, t.value);
    }
    Axis axis = latency ? Axis.log(Math.min(min, 0.1), max * 1.5) : Axis.linear(max * 1.08);
    // axes and grid
    for (double tick : axis.ticks) {
      int y = plotY + plotH - (int) Math.round(axis.fraction(tick) * plotH);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e4e4e4\"/>"
              + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", plotX, y, plotX + plotW, y, plotX - 5, y + 4,
          axis.label(tick)));
    }
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
        plotX, plotY + plotH, plotX + plotW, plotY + plotH));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
        plotX, plotY, plotX, plotY + plotH));
    // bars
    double groupW = (double) plotW / cats.size();
    double barW = Math.min(40, groupW * 0.8 / Math.max(1, runs.size()));
    for (int c = 0; c < cats.size(); c++) {
      double gx = plotX + c * groupW + (groupW - barW * runs.size()) / 2;
      for (int r = 0; r < runs.size(); r++) {
        Double v = values[c][r];
        if (v == null) {
          continue;
        }
        int h = (int) Math.round(axis.fraction(v) * plotH);
        double x = gx + r * barW;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                + "<title>%s: %s</title></rect>%n", x, plotY + plotH - h, barW - 2, Math.max(h, 0), colour(runs, r),
            escape(runs.get(r).getString("label")), axis.label(v)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\">%s</text>%n",
            x + (barW - 2) / 2, plotY + plotH - h - 3, axis.shortLabel(v)));
      }
      if (!latency && offered[c] > 0) {
        int y = plotY + plotH - (int) Math.round(axis.fraction(offered[c]) * plotH);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" stroke-width=\"2\"/>%n",
            gx - 4, y, gx + barW * runs.size() + 2, y));
      }
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%,.0f/s</text>%n",
          plotX + c * groupW + groupW / 2, plotY + plotH + 16, cats.get(c)));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">publications/s</text>%n",
        plotX + plotW / 2, plotY + plotH + 32));
    for (Target t : targets) {
      int y = plotY + plotH - (int) Math.round(axis.fraction(t.value) * plotH);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c0392b\" "
              + "stroke-dasharray=\"5,3\"/><text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#c0392b\" "
              + "stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">%s</text>%n",
          plotX, y, plotX + plotW, y, plotX + plotW - 2, y - 3, escape(t.text)));
    }
  }

  /** A y axis: linear from 0, or logarithmic over whole decades. */
  private static final class Axis {
    final boolean log;
    final double lo;
    final double hi;
    final List<Double> ticks = new ArrayList<>();

    private Axis(boolean log, double lo, double hi) {
      this.log = log;
      this.lo = lo;
      this.hi = hi;
    }

    static Axis linear(double max) {
      double top = max <= 0 ? 1 : max;
      double raw = top / 5;
      double mag = Math.pow(10, Math.floor(Math.log10(raw)));
      double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
      double hi = Math.ceil(top / step) * step;
      Axis a = new Axis(false, 0, hi);
      for (double t = 0; t <= hi + step / 2; t += step) {
        a.ticks.add(t);
      }
      return a;
    }

    static Axis log(double min, double max) {
      double lo = Math.pow(10, Math.floor(Math.log10(min)));
      double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(max, lo * 10))));
      Axis a = new Axis(true, lo, hi);
      for (double t = lo; t <= hi * 1.001; t *= 10) {
        a.ticks.add(t);
      }
      return a;
    }

    double fraction(double v) {
      if (log) {
        double c = Math.max(v, lo);
        return (Math.log10(c) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
      }
      return Math.max(0, Math.min(1, v / hi));
    }

    String label(double v) {
      if (log) {
        return v >= 1 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%s", trim(v));
      }
      return v >= 1_000_000 ? trim(v / 1_000_000) + "M" : v >= 1000 ? trim(v / 1000) + "k" : trim(v);
    }

    String shortLabel(double v) {
      if (log) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 1 ? String.format(Locale.ROOT, "%.1f", v)
            : String.format(Locale.ROOT, "%.2f", v);
      }
      return v >= 1_000_000 ? String.format(Locale.ROOT, "%.2fM", v / 1e6) : v >= 10_000
          ? String.format(Locale.ROOT, "%.0fk", v / 1e3) : v >= 1000 ? String.format(Locale.ROOT, "%.1fk", v / 1e3)
          : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String trim(double v) {
      String s = String.format(Locale.ROOT, "%.3f", v);
      return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
