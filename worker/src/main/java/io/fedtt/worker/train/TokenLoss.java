package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Next-token cross-entropy of a causal language model over the marked positions: the logits at
 * position t predict the token at t+1, and count where t+1 is a target (a response token).
 */
final class TokenLoss {

    private TokenLoss() {
    }

    /**
     * Per-row (sum of token losses, number of target tokens), each [B].
     *
     * @param logits [B,T,V]
     * @param ids [B,T] INT64
     * @param targets [B,T] 1 where the token is a target
     */
    static NDList perRow(NDArray logits, NDArray ids, NDArray targets) {
        long t = logits.getShape().get(1);
        if (t < 2) {
            NDArray zeros = ids.getManager().zeros(new ai.djl.ndarray.types.Shape(ids.getShape().get(0)));
            return new NDList(zeros, zeros);
        }
        NDArray logProbs = logits.get(":, 0:" + (t - 1) + ", :").logSoftmax(2);
        NDArray next = ids.get(":, 1:").expandDims(2);
        NDArray picked = logProbs.gather(next, 2).squeeze(2);
        NDArray weight = targets.get(":, 1:").toType(DataType.FLOAT32, false);
        return new NDList(picked.mul(weight).neg().sum(new int[] {1}), weight.sum(new int[] {1}));
    }

    /** The mean token loss of the batch (0 when it has no target token). */
    static NDArray mean(NDArray logits, NDArray ids, NDArray targets) {
        NDList rows = perRow(logits, ids, targets);
        return rows.get(0).sum().div(rows.get(1).sum().maximum(1f));
    }
}
