package io.fedtt.core.tt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TtMatrixTest {

    @Test
    void shapeAndParameterCountOf768x64() {
        TtShape s = TtShape.of(new int[] {8, 8, 12, 8, 8}, 5);
        assertEquals(780, s.parameterCount());
        assertArrayEquals(new int[] {1, 8, 5}, s.coreShape(0));
        assertArrayEquals(new int[] {5, 12, 5}, s.coreShape(2));
        assertArrayEquals(new int[] {5, 8, 1}, s.coreShape(4));
        assertArrayEquals(new int[] {1, 5, 5, 5, 5, 1}, s.ranks());
        assertEquals(768L * 64, s.denseSize());
        assertEquals(1100, TtShape.of(new int[] {16, 16, 16, 4, 4, 4}, 5).parameterCount());
        assertEquals(1080, TtShape.of(new int[] {8, 8, 12, 12, 8, 8}, 5).parameterCount());
    }

    @Test
    void matchesAnIndependentIndexSumOnRandomTrains() {
        int[][] cases = {{4, 6, 2, 3}, {3, 5, 7, 2}, {8, 8, 12, 8, 8}, {5}};
        for (int[] modes : cases) {
            for (int rank : new int[] {1, 2, 5}) {
                TtShape shape = TtShape.of(modes, rank);
                List<Tensor> cores = randomCores(shape, 42 + rank);
                long n = shape.denseSize();
                int in = modes[0];
                int out = (int) (n / in);
                Tensor w = TtMatrix.reconstruct(cores, in, out);
                assertArrayEquals(new int[] {in, out}, w.shape());
                float[] ref = naive(cores, modes);
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], w.data()[i], 1e-5 * (1 + Math.abs(ref[i])), "entry " + i);
                }
            }
        }
    }

    @Test
    void rowMajorReshapeIsTheIdentityForOneCore() {
        Tensor core = new Tensor(new int[] {1, 6, 1}, new float[] {1, 2, 3, 4, 5, 6});
        Tensor w = TtMatrix.reconstruct(List.of(core), 2, 3);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.data());
        assertArrayEquals(new int[] {2, 3}, w.shape());
    }

    @Test
    void rankOneTrainIsAnOuterProduct() {
        // W[i, j] = a[i] * b[j] when modes are [in, out] and rank 1
        Tensor a = new Tensor(new int[] {1, 2, 1}, new float[] {2, 3});
        Tensor b = new Tensor(new int[] {1, 3, 1}, new float[] {1, 10, 100});
        Tensor w = TtMatrix.reconstruct(List.of(a, b), 2, 3);
        assertArrayEquals(new float[] {2, 20, 200, 3, 30, 300}, w.data());
    }

    @Test
    void zeroLastCoreGivesAZeroMatrix() {
        TtShape s = TtShape.of(new int[] {8, 8, 12, 8, 8}, 5);
        List<Tensor> cores = TtInit.zeroLast(s, 64, 768, streams(s, 1));
        for (float v : TtMatrix.reconstruct(cores, 64, 768).data()) {
            assertEquals(0f, v);
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(nonZero(cores.get(i)), "core " + i + " must be random");
        }
    }

    @Test
    void lorettaInitGivesEntryVarianceOneOverInPlusOut() {
        TtShape s = TtShape.of(new int[] {8, 8, 12, 12, 8, 8}, 5);
        double sum = 0;
        double sumSq = 0;
        long count = 0;
        for (int trial = 0; trial < 8; trial++) {
            float[] w = TtMatrix.reconstruct(TtInit.loretta(s, 768, 768, streams(s, trial)), 768, 768).data();
            for (float v : w) {
                sum += v;
                sumSq += (double) v * v;
                count++;
            }
        }
        double var = sumSq / count - (sum / count) * (sum / count);
        // entries of one draw are strongly correlated, so allow a generous band around 1/1536
        assertEquals(1.0 / 1536, var, 0.5 / 1536, "variance " + var);
    }

    @Test
    void initIsDeterministicPerSeedAndName() {
        TtShape s = TtShape.of(new int[] {8, 8, 12, 8, 8}, 5);
        assertEquals(TtInit.loretta(s, 768, 64, streams(s, 9)), TtInit.loretta(s, 768, 64, streams(s, 9)));
        assertTrue(!TtInit.loretta(s, 768, 64, streams(s, 9)).equals(TtInit.loretta(s, 768, 64, streams(s, 10))));
    }

    @Test
    void validationNamesTheBadCore() {
        Tensor c0 = Tensor.zeros(1, 4, 3);
        Tensor c1 = Tensor.zeros(2, 4, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TtMatrix.reconstruct(List.of(c0, c1), 4, 4));
        assertTrue(e.getMessage().startsWith("core 1 "), e.getMessage());
        assertTrue(e.getMessage().contains("core 0's last dimension"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> TtMatrix.reconstruct(List.of(Tensor.zeros(2, 4, 1)), 2, 2));
        assertTrue(e.getMessage().startsWith("core 0 "), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> TtMatrix.reconstruct(List.of(Tensor.zeros(1, 4, 2), Tensor.zeros(2, 4, 2)), 4, 4));
        assertTrue(e.getMessage().startsWith("core 1 ") && e.getMessage().contains("rank 1"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> TtMatrix.reconstruct(List.of(Tensor.zeros(1, 4, 1), Tensor.zeros(4, 4)), 4, 4));
        assertTrue(e.getMessage().startsWith("core 1 ") && e.getMessage().contains("3 dimensions"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> TtMatrix.reconstruct(List.of(Tensor.zeros(1, 4, 1), Tensor.zeros(1, 4, 1)), 4, 8));
        assertTrue(e.getMessage().contains("4x8"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> TtMatrix.reconstruct(List.of(), 4, 4));
    }

    static List<SeededRandom> streams(TtShape s, long seed) {
        List<SeededRandom> out = new ArrayList<>();
        for (int i = 0; i < s.order(); i++) {
            out.add(SeededRandom.forTensor(seed, "core." + i));
        }
        return out;
    }

    private static List<Tensor> randomCores(TtShape shape, long seed) {
        SeededRandom r = new SeededRandom(seed);
        List<Tensor> cores = new ArrayList<>();
        for (int i = 0; i < shape.order(); i++) {
            int[] cs = shape.coreShape(i);
            cores.add(new Tensor(cs, r.gaussian(cs[0] * cs[1] * cs[2], 1.0)));
        }
        return cores;
    }

    /** W[flat(i_1..i_d)] = sum over rank indices of prod_k G_k[a_{k-1}, i_k, a_k], by brute force. */
    private static float[] naive(List<Tensor> cores, int[] modes) {
        int d = modes.length;
        int n = 1;
        for (int m : modes) {
            n *= m;
        }
        float[] w = new float[n];
        int[] idx = new int[d];
        for (int flat = 0; flat < n; flat++) {
            int rem = flat;
            for (int k = d - 1; k >= 0; k--) {
                idx[k] = rem % modes[k];
                rem /= modes[k];
            }
            w[flat] = (float) pathSum(cores, idx, 0, 0);
        }
        return w;
    }

    private static double pathSum(List<Tensor> cores, int[] idx, int k, int a) {
        if (k == cores.size()) {
            return 1.0;
        }
        Tensor g = cores.get(k);
        int m = g.dim(1);
        int r = g.dim(2);
        double s = 0;
        for (int b = 0; b < r; b++) {
            s += g.data()[(a * m + idx[k]) * r + b] * pathSum(cores, idx, k + 1, b);
        }
        return s;
    }

    private static boolean nonZero(Tensor t) {
        for (float v : t.data()) {
            if (v != 0f) {
                return true;
            }
        }
        return false;
    }
}
