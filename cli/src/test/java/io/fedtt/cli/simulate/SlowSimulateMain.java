package io.fedtt.cli.simulate;

import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;
import picocli.CommandLine;

/**
 * {@code fedtt simulate} with the test's cheap learner, each local step taking 100 ms: a run long enough
 * to be stopped from outside (SimulateSigtermTest starts this in its own JVM).
 */
public final class SlowSimulateMain {

    public static void main(String[] args) {
        SimulateCommandTest.FakeLearner fake = new SimulateCommandTest.FakeLearner();
        Learner slow = new Learner() {
            @Override
            public ModelConfig modelConfig() {
                return fake.modelConfig();
            }

            @Override
            public ClientLoop.Trainer trainerFor(String client, Dataset train, Dataset eval, StepListener steps) {
                return fake.trainerFor(client, train, eval, (c, round, done, total) -> {
                    steps.step(c, round, done, total);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }

            @Override
            public ClassificationMetrics.Result evaluate(AdapterState adapter, Dataset eval) {
                return fake.evaluate(adapter, eval);
            }
        };
        int exit = new CommandLine(new SimulateCommand((threads, cache) -> spec -> slow, System.out, System.err))
                .execute(args);
        System.exit(exit);
    }
}
