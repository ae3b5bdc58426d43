package io.fedtt.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class UpdateEncoderTest {

    private static final int N = 300;
    private static final WireLayout LAYOUT = WireLayout.of(state(new float[N], new float[5]));

    private static AdapterState state(float[] w, float[] frozen) {
        return new AdapterState(Map.of("w", new Tensor(new int[] {w.length}, w), "frozen", new Tensor(new int[] {5}, frozen)));
    }

    /**
     * Rounds of small deltas with an occasional outlier in a block (so int8's step is coarse for the
     * rest): with error feedback, the sum of what was sent stays within one rounding step of the sum of
     * the true deltas, however many rounds pass; without it, the gap is the sum of every rounding.
     */
    @ParameterizedTest
    @EnumSource(value = Encoding.class, names = {"FLOAT16", "BFLOAT16", "INT8"})
    void errorFeedbackKeepsTheCumulativeSentSumOnTheTrueSum(Encoding e) {
        UpdateEncoder encoder = new UpdateEncoder(LAYOUT);
        SplittableRandom random = new SplittableRandom(5);
        double[] trueSum = new double[N];
        double[] sentSum = new double[N];
        double[] sentWithoutFeedback = new double[N];
        float[] base = new float[N];
        for (int i = 0; i < N; i++) {
            base[i] = (float) (0.5 + random.nextDouble()); // weights near 1, as LayerNorm's: bf16 rounds them coarsely
        }
        int rounds = 200;
        for (int r = 0; r < rounds; r++) {
            float[] now = new float[N];
            float[] delta = new float[N];
            for (int i = 0; i < N; i++) {
                delta[i] = (float) (1e-4 * (random.nextDouble() - 0.3) + (i % 128 == 0 ? 0.05 : 0));
                now[i] = base[i] + delta[i];
                trueSum[i] += now[i] - base[i];
            }
            AdapterState update = new AdapterState(Map.of("w", new Tensor(new int[] {N}, now)));
            byte[] body = encoder.encode(e, update, state(base, new float[5]), Map.of("fedtt.examples", "1"), r);
            PackedBody p = PackedCodec.decode(body, LAYOUT, Long.MAX_VALUE);
            assertEquals(PackedBody.Kind.DELTA, p.kind());
            assertEquals(java.util.Set.of("w"), p.tensors().names(), "only the uploaded tensor travels");
            float[] sent = p.tensors().get("w").data();
            UpdateEncoder fresh = new UpdateEncoder(LAYOUT);
            float[] alone = PackedCodec.decode(fresh.encode(e, update, state(base, new float[5]),
                    Map.of("fedtt.examples", "1"), r), LAYOUT, Long.MAX_VALUE).tensors().get("w").data();
            for (int i = 0; i < N; i++) {
                sentSum[i] += sent[i];
                sentWithoutFeedback[i] += alone[i];
            }
        }
        double worst = 0;
        double worstWithout = 0;
        float[] residual = encoder.residuals().get("w");
        for (int i = 0; i < N; i++) {
            worst = Math.max(worst, Math.abs(trueSum[i] - sentSum[i]));
            worstWithout = Math.max(worstWithout, Math.abs(trueSum[i] - sentWithoutFeedback[i]));
            assertEquals(trueSum[i] - sentSum[i], residual[i], 1e-4, "the gap is exactly what is still withheld");
        }
        double step = e == Encoding.INT8 ? 0.05 / 127 : 0.05 / 256; // one rounding step of the largest delta
        assertTrue(worst <= 1.5 * step, e + ": cumulative gap " + worst + " exceeds one step " + step);
        assertTrue(worstWithout > 3 * worst, e + ": without feedback the gap grows to " + worstWithout + ", with " + worst);
    }

    @Test
    void float32UpdatesTravelAsExactValuesWithoutResiduals() {
        UpdateEncoder encoder = new UpdateEncoder(LAYOUT);
        float[] w = new float[N];
        for (int i = 0; i < N; i++) {
            w[i] = (float) Math.sin(i) * 1e-3f;
        }
        AdapterState update = new AdapterState(Map.of("w", new Tensor(new int[] {N}, w)));
        byte[] body = encoder.encode(Encoding.FLOAT32, update, null, Map.of("fedtt.examples", "1"), 1);
        PackedBody p = PackedCodec.decode(body, LAYOUT, Long.MAX_VALUE);
        assertEquals(PackedBody.Kind.VALUES, p.kind());
        assertArrayEquals(w, p.tensors().get("w").data());
        assertTrue(encoder.residuals().isEmpty());
    }
}
