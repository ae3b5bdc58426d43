package io.fedtt.core.federation.client;

import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.privacy.Clipping;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.GaussianNoise;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Local differential privacy: a {@link ClientLoop.Trainer} around another that clips and noises the
 * update before it leaves the participant. Over the round's trainable tensors (the task's list; FedTT+
 * frozen cores are neither clipped nor noised, and are not uploaded), the change from the global
 * adapter is clipped to L2 norm {@code clipNorm} and Gaussian noise of standard deviation
 * {@code noiseMultiplier x clipNorm} is added to every value; the coordinator then aggregates as usual
 * and never sees an unnoised update. Noise comes from {@link GaussianNoise#secure()} in a job.
 */
public final class LocalDpTrainer implements ClientLoop.Trainer {

    private final ClientLoop.Trainer inner;
    private final DifferentialPrivacy dp;
    private final GaussianNoise noise;

    public LocalDpTrainer(ClientLoop.Trainer inner, DifferentialPrivacy dp, GaussianNoise noise) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.dp = Objects.requireNonNull(dp, "dp");
        this.noise = Objects.requireNonNull(noise, "noise");
        if (dp.central()) {
            throw new IllegalArgumentException("LocalDpTrainer needs mode local, got " + dp.mode().wireName());
        }
    }

    /** {@code trainer} itself without local DP, else wrapped with secure noise. */
    public static ClientLoop.Trainer wrap(ClientLoop.Trainer trainer, DifferentialPrivacy dp) {
        return dp == null || dp.central() ? trainer : new LocalDpTrainer(trainer, dp, GaussianNoise.secure());
    }

    @Override
    public ClientLoop.LocalResult train(RoundTask task, AdapterState global) throws Exception {
        ClientLoop.LocalResult r = inner.train(task, global);
        AdapterState noised = privatize(global, r.update(), task.trainable(), dp, noise);
        return new ClientLoop.LocalResult(noised, r.examples(), r.steps(), r.eval());
    }

    /**
     * The trainable tensors of {@code update} after clipping their change from {@code global} to
     * {@code dp.clipNorm()} and adding noise; only those tensors, in sorted name order.
     */
    static AdapterState privatize(AdapterState global, AdapterState update, List<String> trainable,
                                  DifferentialPrivacy dp, GaussianNoise noise) {
        List<String> names = new ArrayList<>(new TreeSet<>(trainable));
        int n = 0;
        for (String name : names) {
            if (!update.contains(name) || !global.contains(name) || !global.get(name).sameShape(update.get(name))) {
                throw new IllegalArgumentException("local DP: trainable tensor '" + name
                        + "' is missing from the update or the global adapter, or their shapes differ");
            }
            n = Math.addExact(n, update.get(name).size());
        }
        float[] x = new float[n];
        float[] g = new float[n];
        int off = 0;
        for (String name : names) {
            float[] xd = update.get(name).data();
            System.arraycopy(xd, 0, x, off, xd.length);
            System.arraycopy(global.get(name).data(), 0, g, off, xd.length);
            off += xd.length;
        }
        double[] change = Clipping.clippedChange(x, g, dp.clipNorm());
        noise.addTo(change, dp.noiseMultiplier() * dp.clipNorm());
        Map<String, Tensor> out = new LinkedHashMap<>();
        off = 0;
        for (String name : names) {
            Tensor t = global.get(name);
            float[] v = new float[t.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) (g[off + k] + change[off + k]);
            }
            out.put(name, new Tensor(t.shape(), v));
            off += v.length;
        }
        return new AdapterState(out, update.metadata());
    }
}
