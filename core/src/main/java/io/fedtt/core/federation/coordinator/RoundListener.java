package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.RoundRecord;

/**
 * Round events, for status writers, metrics and progress printers. Called outside the coordinator's
 * lock, in order, on the thread that made the change; a listener must be quick and must not throw
 * (exceptions are logged and dropped).
 */
public interface RoundListener {

    default void roundOpened(JobId job, int round, int attempt, int selected) {
    }

    default void updateAccepted(JobId job, int round, String participant, int received, int selected) {
    }

    /** A round's try failed (below quorum at the deadline); {@code retrying} says whether it is tried again. */
    default void roundFailed(JobId job, RoundRecord record, boolean retrying) {
    }

    default void roundCompleted(JobId job, RoundRecord record) {
    }

    /**
     * An upload was refused: {@code kind} GONE means it came after its round closed (late); the
     * others mean it was invalid, unauthorized, conflicting or the participant should retry (BUSY).
     */
    default void updateRefused(JobId job, int round, String participant, Rejection.Kind kind, String message) {
    }

    default void jobFinished(JobId job, JobStatus status) {
    }
}
