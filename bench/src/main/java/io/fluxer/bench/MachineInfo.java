package io.fluxer.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a run happened on: CPUs, CPU model, memory, kernel and Java version. */
final class MachineInfo {
  private MachineInfo() {}

  static JsonObject describe() {
    String cpuinfo = read("/proc/cpuinfo");
    int cpus = 0;
    String model = "unknown";
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("processor")) {
        cpus++;
      } else if (line.startsWith("model name") && "unknown".equals(model)) {
        model = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    long memKb = 0;
    for (String line : read("/proc/meminfo").split("\n")) {
      if (line.startsWith("MemTotal:")) {
        memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return new JsonObject()
        .put("cpus", cpus)
        .put("cpu_model", model)
        .put("memory_mb", memKb / 1024)
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "";
    }
  }
}
