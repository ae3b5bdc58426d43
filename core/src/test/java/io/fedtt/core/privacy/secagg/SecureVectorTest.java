package io.fedtt.core.privacy.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SecureVectorTest {

    private static AdapterState state(float base, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String name : List.of("b.core", "a.core")) {
            float[] v = new float[500];
            for (int i = 0; i < v.length; i++) {
                v[i] = base + (float) r.nextGaussian() * 0.1f;
            }
            t.put(name, new Tensor(new int[] {500}, v));
        }
        return new AdapterState(t);
    }

    @Test
    void theDecodedSumIsTheWeightedMeanToWithinAFloatUlp() {
        AdapterState global = state(0.2f, 1);
        List<String> trainable = List.of("b.core", "a.core"); // any order: the vector sorts the names
        double[] w = {1234, 17, 980.5};
        long[] sum = new long[SecureVector.length(global, trainable)];
        AdapterState[] updates = new AdapterState[3];
        for (int p = 0; p < 3; p++) {
            updates[p] = state(0.2f, 10 + p);
            long[] v = SecureVector.encode(updates[p], global, trainable, w[p], 3);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += v[i];
            }
        }
        SecureVector.Mean m = SecureVector.decode(sum, global, List.of("a.core", "b.core"));
        assertEquals(w[0] + w[1] + w[2], m.totalWeight(), 1e-6);
        int differ = 0;
        for (String n : trainable) {
            float[] got = m.mean().get(n).data();
            for (int k = 0; k < got.length; k++) {
                double exact = 0;
                for (int p = 0; p < 3; p++) {
                    exact += w[p] * updates[p].get(n).data()[k];
                }
                float plain = (float) (exact / m.totalWeight());
                assertTrue(Math.abs(got[k] - plain) <= Math.ulp(plain), n + "[" + k + "]: " + got[k] + " vs " + plain);
                differ += got[k] == plain ? 0 : 1;
            }
        }
        assertTrue(differ <= 5, differ + " of 1,000 values are not plain FedAvg's float");
    }

    @Test
    void aChangeTheSumCannotHoldIsRefusedNamingTheTensor() {
        AdapterState global = state(0.2f, 1);
        Map<String, Tensor> big = new LinkedHashMap<>(global.tensors());
        float[] v = global.get("b.core").data().clone();
        v[7] += 5e5f;
        big.put("b.core", new Tensor(new int[] {500}, v));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SecureVector.encode(new AdapterState(big), global, global.names(), 1000, 4));
        assertTrue(e.getMessage().contains("'b.core' at index 7"), e.getMessage());
    }
}
