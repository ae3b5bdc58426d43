package io.fedtt.cli.simulate.report;

/**
 * What a run trained with once defaults were applied, so results.json says which rates ran even
 * when the manifest left them to the adapter type's defaults.
 *
 * @param head the classification head (linear, dense or tt)
 */
public record RunSettings(double learningRate, double headLearningRate, String head, long seed) {
}
