package io.fedtt.worker.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** A tokenized, padded batch in row-major [batch, length] arrays, ready to become INT64 NDArrays. */
public record TokenBatch(int batch, int length, long[] inputIds, long[] attentionMask, long[] tokenTypeIds) {

    public TokenBatch {
        long n = (long) batch * length;
        if (inputIds.length != n || attentionMask.length != n || tokenTypeIds.length != n) {
            throw new IllegalArgumentException("token arrays must each hold " + batch + " x " + length + " ids");
        }
    }

    /** (input_ids, attention_mask, token_type_ids), the encoder's input order. */
    public NDList toNDList(NDManager manager) {
        Shape shape = new Shape(batch, length);
        return new NDList(
                manager.create(inputIds, shape),
                manager.create(attentionMask, shape),
                manager.create(tokenTypeIds, shape));
    }

    /** Number of real (non-padding) tokens in the batch. */
    public long realTokens() {
        long n = 0;
        for (long m : attentionMask) {
            n += m;
        }
        return n;
    }
}
