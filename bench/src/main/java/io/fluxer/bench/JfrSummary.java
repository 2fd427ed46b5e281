package io.fluxer.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises where a JFR recording's CPU samples fall, as Markdown: {@code jdk.ExecutionSample}
 * (threads running Java code) by top frame (self time), by method anywhere on the stack
 * (inclusive), by its innermost frames (hot stacks), by {@code io.fluxer} method, by package of the
 * top frame and by thread; and {@code jdk.NativeMethodSample}
 * (threads in native code, e.g. socket writes) by top frame, leaving out threads parked in
 * epoll/select (idle event loops).
 *
 * <p>Command line: {@code JfrSummary FILE.jfr [TOP] [TITLE]}; prints to standard output.
 */
public final class JfrSummary {
  private static final int STACK_FRAMES = 6;
  private static final Set<String> IDLE_NATIVE = Set.of("epollWait", "wait", "wait0", "poll", "select", "doSelect",
      "park", "sleep", "accept", "accept0");

  private final Map<String, Long> self = new HashMap<>();
  private final Map<String, Long> inclusive = new HashMap<>();
  private final Map<String, Long> packages = new HashMap<>();
  private final Map<String, Long> threads = new HashMap<>();
  private final Map<String, Long> nativeTop = new HashMap<>();
  private final Map<String, Long> stacks = new HashMap<>();
  private final Map<String, Long> fluxer = new HashMap<>();
  private long javaSamples;
  private long nativeSamples;

  private JfrSummary() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrSummary FILE.jfr [TOP] [TITLE]");
      System.exit(2);
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    Path file = Path.of(args[0]);
    System.out.print(summarise(file, top, args.length > 2 ? args[2] : file.getFileName().toString()));
  }

  static String summarise(Path file, int top, String title) throws IOException {
    JfrSummary s = new JfrSummary();
    try (RecordingFile rf = new RecordingFile(file)) {
      while (rf.hasMoreEvents()) {
        RecordedEvent e = rf.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.ExecutionSample")) {
          s.addJava(e);
        } else if (type.equals("jdk.NativeMethodSample")) {
          s.addNative(e);
        }
      }
    }
    return s.markdown(title, top);
  }

  private void addJava(RecordedEvent e) {
    RecordedStackTrace st = e.getStackTrace();
    if (st == null || st.getFrames().isEmpty()) {
      return;
    }
    javaSamples++;
    List<RecordedFrame> frames = st.getFrames();
    String topMethod = name(frames.get(0));
    self.merge(topMethod, 1L, Long::sum);
    packages.merge(packageOf(frames.get(0)), 1L, Long::sum);
    Set<String> seen = new HashSet<>();
    for (RecordedFrame f : frames) {
      String n = name(f);
      if (seen.add(n)) {
        inclusive.merge(n, 1L, Long::sum);
        if (n.startsWith("io.fluxer.")) {
          fluxer.merge(n, 1L, Long::sum);
        }
      }
    }
    stacks.merge(stack(frames, STACK_FRAMES), 1L, Long::sum);
    RecordedThread t = e.getThread("sampledThread");
    threads.merge(t == null ? "?" : t.getJavaName(), 1L, Long::sum);
  }

  private void addNative(RecordedEvent e) {
    RecordedStackTrace st = e.getStackTrace();
    if (st == null || st.getFrames().isEmpty()) {
      return;
    }
    RecordedMethod m = st.getFrames().get(0).getMethod();
    if (m == null || IDLE_NATIVE.contains(m.getName())) {
      return;
    }
    nativeSamples++;
    nativeTop.merge(name(st.getFrames().get(0)), 1L, Long::sum);
  }

  private String markdown(String title, int top) {
    StringBuilder md = new StringBuilder();
    md.append("# JFR CPU profile: ").append(title).append("\n\n");
    md.append(String.format(Locale.ROOT, "%,d Java execution samples; %,d native samples outside epoll/select waits.%n%n",
        javaSamples, nativeSamples));
    table(md, "Top frames (self time), Java", "method", self, javaSamples, top);
    table(md, "Methods anywhere on the stack (inclusive), Java", "method", inclusive, javaSamples, top);
    table(md, "Hot stacks (top " + STACK_FRAMES + " frames, innermost first)", "stack", stacks, javaSamples, 15);
    table(md, "io.fluxer methods anywhere on the stack (inclusive)", "method", fluxer, javaSamples, top);
    table(md, "Package of the top frame", "package", packages, javaSamples, 15);
    table(md, "Threads", "thread", threads, javaSamples, 10);
    table(md, "Top frames in native code (not idle)", "method", nativeTop, nativeSamples, 15);
    return md.toString();
  }

  private static void table(StringBuilder md, String title, String what, Map<String, Long> counts, long total, int top) {
    md.append("## ").append(title).append("\n\n| share | samples | ").append(what).append(" |\n|---:|---:|---|\n");
    List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    Map<String, Long> shown = new LinkedHashMap<>();
    for (Map.Entry<String, Long> en : entries) {
      if (shown.size() >= top) {
        break;
      }
      shown.put(en.getKey(), en.getValue());
    }
    shown.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %.1f %% | %,d | `%s` |%n",
        total == 0 ? 0 : 100.0 * v / total, v, k)));
    md.append('\n');
  }

  /** The innermost frames of a stack, as {@code a ← b ← c} with simple class names. */
  private static String stack(List<RecordedFrame> frames, int depth) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(depth, frames.size()); i++) {
      if (i > 0) {
        b.append(" ← ");
      }
      String n = name(frames.get(i));
      int dot = n.lastIndexOf('.', n.lastIndexOf('.') - 1);
      b.append(dot < 0 ? n : n.substring(dot + 1));
    }
    return b.toString();
  }

  private static String name(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    if (m == null) {
      return "?";
    }
    // Lambdas and hidden classes: Foo$$Lambda$423+0x00007f22.789871323 -> Foo$$Lambda
    String type = m.getType().getName().replaceAll("\\$\\$Lambda.*", "\\$\\$Lambda");
    return type + "." + m.getName();
  }

  private static String packageOf(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    if (m == null) {
      return "?";
    }
    String type = m.getType().getName();
    int dot = type.lastIndexOf('.');
    return dot < 0 ? "" : type.substring(0, dot);
  }
}
