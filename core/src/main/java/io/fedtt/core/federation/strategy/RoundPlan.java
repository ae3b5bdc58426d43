package io.fedtt.core.federation.strategy;

import io.fedtt.core.freeze.TrainableMask;
import java.util.List;
import java.util.Objects;

/**
 * A strategy's plan for one try of a round.
 *
 * @param participants who trains, sorted by name
 * @param mask         the tensors that train and travel this round
 * @param task         the training parameters handed out with the task
 */
public record RoundPlan(List<String> participants, TrainableMask mask, TaskConfig task) {

    public RoundPlan {
        participants = List.copyOf(participants);
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(task, "task");
    }
}
