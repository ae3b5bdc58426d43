package io.fedtt.core.federation;

/** Where a job's rounds stand. */
public enum JobPhase {
    RUNNING,
    SUCCEEDED,
    FAILED;

    public boolean finished() {
        return this != RUNNING;
    }
}
