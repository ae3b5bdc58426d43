package io.fedtt.core.federation.strategy;

import io.fedtt.core.aggregate.StreamingFedAvg;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Federated averaging: every round samples participants with {@link ParticipantSampler}, trains the
 * tensors the FedTT+ freezing policy picks (all of them without one), hands out the job's training
 * parameters (the learning rate after the job's {@link RoundDecay} for the round), and replaces the trainable tensors by the weighted mean of the updates, accumulated
 * as they arrive ({@link StreamingFedAvg}). Stateless on the server.
 */
public final class FedAvg implements Strategy {

    private final FreezingPolicy freezing;

    /** @param freezing decides each round's trainable tensors; null = everything trains */
    public FedAvg(FreezingPolicy freezing) {
        this.freezing = freezing;
    }

    /** FedAvg with the job's freezing policy: what a job runs unless told otherwise. */
    public static FedAvg of(FederationJobSpec spec) {
        return new FedAvg(spec.freezing());
    }

    @Override
    public String name() {
        return "fedavg";
    }

    @Override
    public RoundPlan configureRound(RoundContext c) {
        TrainableMask mask = c.attempt() > 0 && c.openMask() != null ? c.openMask() : maskFor(c);
        List<String> who = ParticipantSampler.select(c.spec(), c.round(), c.attempt(), c.keep(), c.avoid());
        return new RoundPlan(who, mask, TaskConfig.forRound(c.spec(), c.round()));
    }

    /** The freezing policy's mask, from the update energy of every completed round so far. */
    private TrainableMask maskFor(RoundContext c) {
        if (freezing == null) {
            return TrainableMask.of(c.global().names());
        }
        List<Map<String, Double>> energies = new ArrayList<>();
        for (RoundRecord rec : c.history()) {
            if (rec.completed()) {
                energies.add(rec.energy());
            }
        }
        return freezing.maskFor(c.round(), energies);
    }

    @Override
    public Aggregation startAggregation(AdapterState global, TrainableMask mask, byte[] serverState) {
        StreamingFedAvg sum = new StreamingFedAvg(global, mask);
        return new Aggregation() {
            @Override
            public void add(String participant, AdapterState update, double weight) {
                sum.add(update, weight);
            }

            @Override
            public AggregateResult result() {
                AdapterState next = sum.result();
                return new AggregateResult(next, FreezingPolicy.updateEnergy(global, next), null);
            }
        };
    }
}
