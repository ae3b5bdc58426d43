package io.fedtt.core.freeze;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which tensors of an adapter train (and travel) in one round. Plain data: it is logged, sent with
 * the round's task and stored in the round history. Tensors not named here stay at their last
 * global value on every client.
 */
public record TrainableMask(SortedSet<String> trainable) {

    public TrainableMask {
        trainable = Collections.unmodifiableSortedSet(new TreeSet<>(trainable));
    }

    public static TrainableMask of(Collection<String> names) {
        return new TrainableMask(new TreeSet<>(names));
    }

    public boolean isTrainable(String name) {
        return trainable.contains(name);
    }

    public int size() {
        return trainable.size();
    }
}
