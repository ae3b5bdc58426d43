package io.fedtt.worker.train;

/** Local training stopped between two steps because the process is shutting down; nothing is uploaded. */
public final class RoundCancelledException extends RuntimeException {

    public RoundCancelledException(int round, int stepsDone, int steps) {
        super("round " + round + " abandoned after " + stepsDone + " of " + steps + " local steps (shutting down)");
    }
}
