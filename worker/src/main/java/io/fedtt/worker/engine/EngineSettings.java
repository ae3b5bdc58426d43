package io.fedtt.worker.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;

/**
 * How the PyTorch engine runs in this process: offline, and with how many threads. The default is
 * one intra-op and one inter-op thread: when several workers share a machine, two intra-op threads
 * per process make throughput collapse 6-10x (STACK.md), so parallelism comes from processes.
 * A worker alone on a machine should set intra-op threads to its core count.
 * <p>
 * The values are JVM system properties that DJL reads once, when the engine starts: apply them
 * before the first NDManager or Engine call. Surefire sets the same properties for tests.
 */
public record EngineSettings(int intraOpThreads, int interOpThreads) {

    public static final String ENGINE = "PyTorch";
    public static final String OFFLINE = "ai.djl.offline";
    public static final String INTRA_OP = "ai.djl.pytorch.num_threads";
    public static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";
    /** Environment variable a deployment sets to choose intra-op threads (e.g. from the pod's CPU limit). */
    public static final String ENV_THREADS = io.fedtt.core.job.WorkerEnvironment.ENV_TORCH_THREADS;

    public EngineSettings {
        if (intraOpThreads < 1 || interOpThreads < 1) {
            throw new IllegalArgumentException("thread counts must be >= 1, got intra-op " + intraOpThreads
                    + ", inter-op " + interOpThreads);
        }
    }

    public static EngineSettings defaults() {
        return new EngineSettings(1, 1);
    }

    public static EngineSettings threads(int intraOp) {
        return new EngineSettings(intraOp, 1);
    }

    /** From system properties if set, else FEDTT_TORCH_THREADS, else the defaults. */
    public static EngineSettings fromEnvironment(Map<String, String> env) {
        int intra = parse(System.getProperty(INTRA_OP), INTRA_OP, -1);
        if (intra < 0) {
            intra = parse(env.get(ENV_THREADS), ENV_THREADS, 1);
        }
        int inter = parse(System.getProperty(INTER_OP), INTER_OP, 1);
        return new EngineSettings(intra, inter);
    }

    /** Sets the DJL properties (offline, thread counts); effective only before the engine starts. */
    public EngineSettings apply() {
        System.setProperty(OFFLINE, "true");
        System.setProperty(INTRA_OP, Integer.toString(intraOpThreads));
        System.setProperty(INTER_OP, Integer.toString(interOpThreads));
        return this;
    }

    /** Applies these settings and starts (or returns) the PyTorch engine. */
    public Engine start() {
        apply();
        return Engine.getEngine(ENGINE);
    }

    /** Intra-op threads the running engine uses now (to check that the settings took effect). */
    public static int activeIntraOpThreads() {
        Engine.getEngine(ENGINE);
        return JniUtils.getNumThreads();
    }

    /** Changes intra-op threads of the running engine (benchmarks compare 1 and 2 in one process). */
    public static void setActiveIntraOpThreads(int threads) {
        Engine.getEngine(ENGINE);
        JniUtils.setNumThreads(threads);
    }

    private static int parse(String value, String name, int dflt) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'", e);
        }
    }
}
