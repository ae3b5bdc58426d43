package io.fedtt.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PartitionersTest {

    /** {@code n} examples over {@code k} labels, label i % k, with a "group" field. */
    private static Dataset synthetic(int n, int k) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            labels.add("l" + i);
        }
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            examples.add(new Example("text " + i, i % k, Map.of("group", "g" + (i % 3))));
        }
        return new Dataset("synthetic", labels, examples);
    }

    private static void assertCoverage(List<Shard> shards, int n) {
        int[] seen = new int[n];
        for (Shard s : shards) {
            int[] idx = s.indices();
            for (int j = 0; j < idx.length; j++) {
                seen[idx[j]]++;
                assertTrue(j == 0 || idx[j - 1] < idx[j], "ascending indices");
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1, seen[i], "example " + i + " assigned exactly once");
        }
    }

    /** Mean total-variation distance between each client's label mix and the global one. */
    private static double skew(Dataset data, List<Shard> shards) {
        int[] global = data.labelCounts();
        double total = 0;
        for (Shard s : shards) {
            int[] counts = s.labelCounts(data);
            double tv = 0;
            for (int l = 0; l < global.length; l++) {
                tv += Math.abs((double) counts[l] / s.size() - (double) global[l] / data.size());
            }
            total += tv / 2;
        }
        return total / shards.size();
    }

    @Test
    void dirichletIsReproducibleAndCoversEveryExampleOnce() {
        Dataset data = synthetic(1000, 4);
        List<Shard> a = Partitioners.dirichlet(data, 10, 0.5, 7);
        assertEquals(a, Partitioners.dirichlet(data, 10, 0.5, 7));
        assertNotEquals(a, Partitioners.dirichlet(data, 10, 0.5, 8));
        assertCoverage(a, 1000);
        assertEquals("device-00000", a.get(0).name());
        assertEquals("device-00009", a.get(9).name());
    }

    @Test
    void lowerAlphaGivesMoreSkew() {
        Dataset data = synthetic(2000, 4);
        double[] alphas = {0.05, 0.5, 5, 500};
        double[] skews = new double[alphas.length];
        for (int i = 0; i < alphas.length; i++) {
            double sum = 0;
            for (long seed = 0; seed < 5; seed++) {
                sum += skew(data, Partitioners.dirichlet(data, 20, alphas[i], seed));
            }
            skews[i] = sum / 5;
        }
        for (int i = 1; i < alphas.length; i++) {
            assertTrue(skews[i] < skews[i - 1], "skew " + java.util.Arrays.toString(skews));
        }
        assertTrue(skews[0] > 0.5, "alpha 0.05: clients are mostly one label, skew " + skews[0]);
        assertTrue(skews[3] < 0.1, "alpha 500: near IID, skew " + skews[3]);
    }

    @Test
    void everyClientGetsAnExampleWhenThereAreEnough() {
        Dataset data = synthetic(120, 2);
        for (long seed = 0; seed < 20; seed++) {
            List<Shard> shards = Partitioners.dirichlet(data, 100, 0.01, seed);
            assertCoverage(shards, 120);
            assertTrue(shards.stream().allMatch(s -> s.size() >= 1), "seed " + seed);
        }
        List<Shard> tooMany = Partitioners.dirichlet(synthetic(5, 2), 8, 1.0, 1);
        assertEquals(8, tooMany.size());
        assertCoverage(tooMany, 5);
    }

    @Test
    void iidShardsAreBalancedReproducibleAndMixed() {
        List<Shard> a = Partitioners.iid(1003, 10, 3);
        assertEquals(a, Partitioners.iid(1003, 10, 3));
        assertNotEquals(a, Partitioners.iid(1003, 10, 4));
        assertCoverage(a, 1003);
        assertTrue(a.stream().allMatch(s -> s.size() == 100 || s.size() == 101));
        Dataset data = synthetic(1000, 2);
        assertTrue(skew(data, Partitioners.iid(data, 10, 1)) < 0.1);
    }

    @Test
    void byFieldMakesOneClientPerValue() {
        Dataset data = synthetic(10, 2);
        List<Shard> shards = Partitioners.byField(data, "group");
        assertEquals(List.of("g0", "g1", "g2"), shards.stream().map(Shard::name).toList());
        assertArrayEquals(new int[] {0, 3, 6, 9}, shards.get(0).indices());
        assertCoverage(shards, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Partitioners.byField(data, "site"));
        assertTrue(e.getMessage().contains("example 1 has no field \"site\""), e.getMessage());
    }

    @Test
    void byFieldOnThePreparedSpamDataSplitsBySourceGroup() {
        Dataset data = DatasetReader.read(DatasetReaderTest.PREPARED.resolve("spam/site-c.jsonl.gz"), DataFormat.AUTO,
                "text", "label", List.of("ham", "spam"));
        List<Shard> shards = Partitioners.byField(data, "group");
        assertEquals(List.of("hard-ham-1", "spam-2"), shards.stream().map(Shard::name).toList());
        assertArrayEquals(new int[] {shards.get(0).size(), 0}, shards.get(0).labelCounts(data));
        assertArrayEquals(new int[] {0, shards.get(1).size()}, shards.get(1).labelCounts(data));
    }

    @Test
    void badArgumentsAreRejected() {
        Dataset data = synthetic(10, 2);
        assertThrows(IllegalArgumentException.class, () -> Partitioners.dirichlet(data, 0, 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> Partitioners.dirichlet(data, 2, 0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> Partitioners.dirichlet(data, 2, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> Partitioners.iid(10, 0, 1));
    }

    @Test
    void apportionSumsExactly() {
        assertArrayEquals(new int[] {4, 3, 3}, Partitioners.apportion(10, new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}));
        assertArrayEquals(new int[] {0, 7, 0}, Partitioners.apportion(7, new double[] {0, 1, 0}));
    }

    @Test
    void gammaDrawsHaveTheRightMean() {
        for (double shape : new double[] {0.1, 0.5, 1, 3, 20}) {
            GammaSampler gamma = new GammaSampler(new SplittableRandom(11));
            double sum = 0;
            int n = 20000;
            for (int i = 0; i < n; i++) {
                sum += Math.exp(gamma.logGamma(shape));
            }
            double mean = sum / n;
            double tolerance = 4 * Math.sqrt(shape / n); // 4 standard errors (variance = shape)
            assertEquals(shape, mean, tolerance, "mean of Gamma(" + shape + ")");
        }
        double[] p = new GammaSampler(new SplittableRandom(1)).dirichlet(0.001, 50);
        double sum = 0;
        for (double x : p) {
            assertTrue(x >= 0 && Double.isFinite(x));
            sum += x;
        }
        assertEquals(1.0, sum, 1e-12, "tiny alpha stays finite and normalised");
    }

    /** {@code n} prompt-response examples (causal-lm), with a "user" field. */
    private static Dataset promptResponse(int n) {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            examples.add(Example.promptResponse("question " + i, "answer " + i, Map.of("user", "u" + (i % 4))));
        }
        return Dataset.promptResponse("instructions", examples);
    }

    @Test
    void iidAndByFieldSplitPromptResponseData() {
        Dataset data = promptResponse(50);
        List<Shard> iid = Partitioners.iid(data, 7, 3);
        assertCoverage(iid, 50);
        assertEquals(iid, Partitioners.iid(data, 7, 3));
        List<Shard> byUser = Partitioners.byField(data, "user");
        assertCoverage(byUser, 50);
        assertEquals(List.of("u0", "u1", "u2", "u3"), byUser.stream().map(Shard::name).toList());
        Dataset shard = data.subset(byUser.get(1).indices());
        assertTrue(shard.isPromptResponse());
        assertEquals("answer 1", shard.examples().get(0).response());
        assertEquals(0, byUser.get(1).labelCounts(data).length, "no labels to count");
        assertEquals(0, data.labelCounts().length);
    }

    @Test
    void dirichletRefusesPromptResponseData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Partitioners.dirichlet(promptResponse(10), 3, 0.5, 1));
        assertEquals("instructions: a Dirichlet partition splits by label, and prompt-response (causal-lm) data has"
                + " no labels; partition by iid or field", e.getMessage());
    }
}
