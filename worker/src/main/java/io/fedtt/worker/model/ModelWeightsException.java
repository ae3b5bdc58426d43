package io.fedtt.worker.model;

import java.util.List;

/** Pretrained weights do not fit the model: every problem is listed with tensor name and shapes. */
public final class ModelWeightsException extends RuntimeException {

    private final List<String> problems;

    public ModelWeightsException(String source, List<String> problems) {
        super(source + ": " + problems.size() + " weight problem(s): " + summary(problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String summary(List<String> problems) {
        int shown = Math.min(problems.size(), 20);
        String head = String.join("; ", problems.subList(0, shown));
        return shown < problems.size() ? head + "; ... and " + (problems.size() - shown) + " more" : head;
    }
}
