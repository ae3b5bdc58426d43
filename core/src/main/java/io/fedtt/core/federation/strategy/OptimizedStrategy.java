package io.fedtt.core.federation.strategy;

import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Another strategy's plan and aggregation, followed by a {@link ServerOptimizer} step: the inner
 * aggregation's result (FedAvg's weighted mean, or a robust rule's median or trimmed mean) is the
 * point the round moved to, and the server steps from the old global towards it with momentum or
 * adaptive scaling. Only the round's trainable tensors step; a frozen tensor (FedTT+ mask) keeps the
 * global's values and its moments are carried over untouched. TT cores and LoRA factors are treated
 * alike: every tensor has its own element-wise moments.
 *
 * <p>The moments travel as {@link AggregateResult#serverState()}, which the coordinator saves with its
 * snapshot and hands back to the next {@link #startAggregation}; the inner strategy must be stateless.
 */
public final class OptimizedStrategy implements Strategy {

    private final Strategy inner;
    private final ServerOptimizer optimizer;

    public OptimizedStrategy(Strategy inner, ServerOptimizer optimizer) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    }

    public ServerOptimizer optimizer() {
        return optimizer;
    }

    @Override
    public String name() {
        return inner.name() + "+" + optimizer.kind().wireName();
    }

    @Override
    public RoundPlan configureRound(RoundContext context) {
        return inner.configureRound(context);
    }

    @Override
    public Aggregation startAggregation(AdapterState global, TrainableMask mask, byte[] serverState) {
        Aggregation aggregation = inner.startAggregation(global, mask, null);
        return new Aggregation() {
            @Override
            public void add(String participant, AdapterState update, double weight) {
                aggregation.add(participant, update, weight);
            }

            @Override
            public AggregateResult result() {
                AdapterState point = aggregation.result().next();
                ServerMoments moments = ServerMoments.decode(serverState, optimizer.kind());
                AdapterState next = step(optimizer, global, point, mask, moments);
                return new AggregateResult(next, FreezingPolicy.updateEnergy(global, next),
                        moments.encode(optimizer.kind()));
            }
        };
    }

    /** The global after one server step on every trainable tensor; updates {@code moments} in place. */
    static AdapterState step(ServerOptimizer o, AdapterState global, AdapterState point, TrainableMask mask,
            ServerMoments moments) {
        Map<String, Tensor> stepped = new LinkedHashMap<>();
        for (String name : mask.trainable()) {
            Tensor x = global.get(name);
            float[] m = moments.first(name, x.size());
            float[] v = o.kind().adaptive() ? moments.second(name, x.size()) : null;
            stepped.put(name, new Tensor(x.shape(), ServerSteps.step(o, x.data(), point.get(name).data(), m, v)));
        }
        return global.with(stepped);
    }
}
