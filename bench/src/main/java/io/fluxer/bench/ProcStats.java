package io.fluxer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory and CPU time of a process, from {@code /proc/<pid>/status} (VmRSS,
 * Cpus_allowed_list) and {@code /proc/<pid>/stat} (utime + stime). Linux only.
 */
final class ProcStats {
  /** Clock ticks per second of {@code /proc/<pid>/stat}: USER_HZ, 100 on Linux x86 and arm64. */
  private static final long TICKS_PER_SECOND = 100;

  private final long pid;

  ProcStats(long pid) {
    this.pid = pid;
  }

  static ProcStats self() {
    return new ProcStats(ProcessHandle.current().pid());
  }

  long pid() {
    return pid;
  }

  boolean alive() {
    return Files.exists(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** VmRSS in bytes. */
  long rssBytes() {
    return statusKb("VmRSS:") * 1024;
  }

  /** Number of CPUs the process may run on (its affinity, e.g. 1 under {@code taskset -c 0}). */
  int allowedCpus() {
    String list = statusField("Cpus_allowed_list:");
    int n = 0;
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-');
      n += dash < 0 ? 1 : Integer.parseInt(p.substring(dash + 1)) - Integer.parseInt(p.substring(0, dash)) + 1;
    }
    return n;
  }

  /** User + system CPU time used so far, in nanoseconds. */
  long cpuNanos() {
    String stat = read("stat");
    // The command name (field 2) may hold spaces; the fields after its closing ')' are fixed.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /**
   * CPU time all processes of the machine have used so far (user, nice, system, irq, softirq and
   * steal from the first line of {@code /proc/stat}), in nanoseconds. What the server and the
   * generator did not use of it is other load, which makes a measurement unreliable.
   */
  static long machineBusyNanos() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+");
      long ticks = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system (idle iowait) irq softirq steal
        ticks += i < f.length ? Long.parseLong(f[i]) : 0;
      }
      return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** A point in time and the CPU time used by then. */
  record Sample(long wallNanos, long cpuNanos) {
    /** CPU cores kept busy between {@code earlier} and this sample (1.0 = one core all the time). */
    double coresSince(Sample earlier) {
      long wall = wallNanos - earlier.wallNanos;
      return wall <= 0 ? 0 : (double) (cpuNanos - earlier.cpuNanos) / wall;
    }
  }

  Sample sample() {
    return new Sample(System.nanoTime(), cpuNanos());
  }

  private long statusKb(String field) {
    String v = statusField(field).trim();
    int space = v.indexOf(' ');
    return Long.parseLong(space < 0 ? v : v.substring(0, space));
  }

  private String statusField(String field) {
    for (String line : read("status").split("\n")) {
      if (line.startsWith(field)) {
        return line.substring(field.length()).trim();
      }
    }
    throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
  }

  private String read(String file) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), file));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/" + file + ": " + e.getMessage(), e);
    }
  }
}
