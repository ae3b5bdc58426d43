package io.fedtt.core.federation.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.Fx;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.privacy.Clipping;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.GaussianNoise;
import io.fedtt.core.privacy.NoiseAssertions;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocalDpTrainerTest {

    private static final AdapterState GLOBAL = Fx.smallAdapter();

    private static RoundTask task(List<String> trainable) {
        return new RoundTask("t/j", 1, 0, 3, "digest", trainable, 5, 0, 8, 0.01, 7, 0, DType.F32);
    }

    /** Training that moves every tensor (frozen ones too) far: the wrapper must clip and drop them. */
    private static ClientLoop.Trainer farTrainer() {
        return (task, global) -> {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : global.names()) {
                float[] d = global.get(name).data().clone();
                for (int k = 0; k < d.length; k++) {
                    d[k] += 3;
                }
                out.put(name, new Tensor(global.get(name).shape(), d));
            }
            return new ClientLoop.LocalResult(new AdapterState(out), 42, 5, EvalMetrics.NONE);
        };
    }

    private static float[] flat(AdapterState s, List<String> names) {
        int n = names.stream().mapToInt(x -> s.get(x).size()).sum();
        float[] out = new float[n];
        int off = 0;
        for (String name : names) {
            float[] d = s.get(name).data();
            System.arraycopy(d, 0, out, off, d.length);
            off += d.length;
        }
        return out;
    }

    @Test
    void theUploadIsClippedToClipNormAndFrozenTensorsStayHome() throws Exception {
        List<String> trainable = Fx.HEAD_FROZEN_TRAINABLE; // head.w frozen
        GaussianNoise zero = GaussianNoise.from(new Random() {
            @Override
            public synchronized double nextGaussian() {
                return 0;
            }
        });
        LocalDpTrainer t = new LocalDpTrainer(farTrainer(), DifferentialPrivacy.local(0.25, 1), zero);
        ClientLoop.LocalResult r = t.train(task(trainable), GLOBAL);
        assertFalse(r.update().contains("head.w"), "a frozen tensor is not uploaded");
        assertEquals(42, r.examples());
        double d = Clipping.distance(flat(r.update(), trainable), flat(GLOBAL, trainable));
        assertEquals(0.25, d, 1e-6);
    }

    @Test
    void noiseOfStandardDeviationNoiseMultiplierTimesClipNormIsAdded() throws Exception {
        Map<String, Tensor> big = new LinkedHashMap<>();
        big.put("core", new Tensor(new int[] {40_000}, new float[40_000]));
        AdapterState global = new AdapterState(big);
        ClientLoop.Trainer unchanged = (task, g) -> new ClientLoop.LocalResult(g, 1, 1, EvalMetrics.NONE);
        LocalDpTrainer t = new LocalDpTrainer(unchanged, DifferentialPrivacy.local(0.5, 2), GaussianNoise.from(new Random(99)));
        // noiseMultiplier x clipNorm = 1
        NoiseAssertions.assertZeroMeanNoise(t.train(task(List.of("core")), global).update().get("core").data(), 1.0);
    }

    @Test
    void wrapLeavesTheTrainerAloneWithoutLocalDp() {
        ClientLoop.Trainer t = farTrainer();
        assertSame(t, LocalDpTrainer.wrap(t, null));
        assertSame(t, LocalDpTrainer.wrap(t, DifferentialPrivacy.central(1, 1)));
        assertTrue(LocalDpTrainer.wrap(t, DifferentialPrivacy.local(1, 1)) instanceof LocalDpTrainer);
    }
}
