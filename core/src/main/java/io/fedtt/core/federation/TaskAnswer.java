package io.fedtt.core.federation;

/** What the task endpoint answers: a round to work on, "nothing for you yet", or "the job is over". */
public sealed interface TaskAnswer {

    /** Work on this round. */
    record Work(RoundTask task) implements TaskAnswer {
    }

    /** Nothing for this participant now (not selected, or its update for the open round is in). */
    record Waiting(int currentRound) implements TaskAnswer {
    }

    /**
     * The job is over. {@code finalVersion} is the number of completed rounds whose result is the
     * final adapter ({@code GET .../adapter}), with its digest.
     */
    record Done(JobPhase phase, String reason, int finalVersion, String adapterDigest) implements TaskAnswer {
    }
}
