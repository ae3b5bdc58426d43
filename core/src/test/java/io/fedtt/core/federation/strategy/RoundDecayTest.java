package io.fedtt.core.federation.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.Sampling;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The learning rate over the rounds: what each round's task hands out. */
class RoundDecayTest {

    @Test
    void cosineStartsAtTheJobsRateHalvesAtMidRunAndEndsSmallButNotZero() {
        assertEquals(1.0, RoundDecay.COSINE.factor(1, 10), 1e-12);
        assertEquals(0.5, RoundDecay.COSINE.factor(6, 10), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.9)), RoundDecay.COSINE.factor(10, 10), 1e-12);
        assertTrue(RoundDecay.COSINE.factor(10, 10) > 0.02 && RoundDecay.COSINE.factor(10, 10) < 0.03);
        for (int r = 2; r <= 10; r++) {
            assertTrue(RoundDecay.COSINE.factor(r, 10) < RoundDecay.COSINE.factor(r - 1, 10), "decreasing at " + r);
        }
        assertEquals(1.0, RoundDecay.COSINE.factor(1, 1), 1e-12, "a one-round job runs at its rate");
        for (int r = 1; r <= 10; r++) {
            assertEquals(1.0, RoundDecay.CONSTANT.factor(r, 10));
        }
        assertThrows(IllegalArgumentException.class, () -> RoundDecay.COSINE.factor(0, 10));
        assertEquals(RoundDecay.COSINE, RoundDecay.parse("Cosine"));
        assertThrows(IllegalArgumentException.class, () -> RoundDecay.parse("step"));
    }

    private static FederationJobSpec job(RoundDecay decay) {
        AdapterState g = new AdapterState(Map.of("w", new Tensor(new int[] {2}, new float[] {1, 2})));
        FederationJobSpec.Builder b = FederationJobSpec.builder(new JobId("t", "decay"), g)
                .silos("s0", "s1", "s2", "s3").sampling(Sampling.count(2)).rounds(4).learningRate(0.01)
                .localSteps(5).batchSize(8).proximalMu(0.1);
        return decay == null ? b.build() : b.learningRateDecay(decay).build();
    }

    @Test
    void eachRoundsTaskCarriesTheDecayedRateAndTheProximalMu() {
        FederationJobSpec cosine = job(RoundDecay.COSINE);
        FedAvg s = FedAvg.of(cosine);
        for (int r = 1; r <= 4; r++) {
            RoundContext c = new RoundContext(cosine, r, 0, cosine.initialGlobal(), List.of(), Set.of(), Set.of(), null);
            TaskConfig t = s.configureRound(c).task();
            assertEquals(0.01 * RoundDecay.COSINE.factor(r, 4), t.learningRate(), 1e-15, "round " + r);
            assertEquals(new TaskConfig(5, 0, 8, t.learningRate(), 0.1), t);
        }
        assertEquals(TaskConfig.forRound(cosine, 1), TaskConfig.of(cosine));
        FederationJobSpec plain = job(null);
        assertEquals(RoundDecay.CONSTANT, plain.learningRateDecay(), "constant unless told otherwise");
        assertEquals(0.01, TaskConfig.forRound(plain, 4).learningRate());
    }
}
