package io.fedtt.operator.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The figures the operator's scale benchmarks report, on the mock and on the real API server alike. */
public final class BenchFigures {

  private BenchFigures() {}

  /** Turns on per-thread CPU accounting; call before the measured work. */
  public static void startCpuAccounting() {
    ManagementFactory.getThreadMXBean().setThreadCpuTimeEnabled(true);
  }

  /** Threads that belong to the operator (not to an API server, the fake workers or JUnit). */
  static boolean operatorThread(String name) {
    return name.startsWith("fedtt-reconciler") || name.startsWith("fedtt-http") || name.startsWith("fedtt-rounds")
        || name.startsWith("fedtt-metrics") || name.contains("Informer") || name.startsWith("EventProcessor")
        || name.startsWith("Controller Starter");
  }

  /** CPU seconds of the live operator threads (reconcilers, informers, federation endpoint, round drivers). */
  public static double operatorCpuSeconds() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long nanos = 0;
    for (ThreadInfo ti : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (ti != null && operatorThread(ti.getThreadName())) {
        nanos += Math.max(0, threads.getThreadCpuTime(ti.getThreadId()));
      }
    }
    return nanos / 1e9;
  }

  /** silo-0 .. silo-(n-1). */
  public static String[] siloNames(int n) {
    String[] names = new String[n];
    for (int s = 0; s < n; s++) {
      names[s] = "silo-" + s;
    }
    return names;
  }

  /** The p-th percentile (nearest rank) of {@code values}; NaN when empty. */
  public static double percentile(List<Double> values, int p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    int i = (int) Math.ceil(p / 100.0 * v.size()) - 1;
    return v.get(Math.max(0, Math.min(v.size() - 1, i)));
  }
}
