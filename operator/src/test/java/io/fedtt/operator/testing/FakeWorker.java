package io.fedtt.operator.testing;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.core.data.DeviceShards;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.JobDescriptionJson;
import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.client.RetryPolicy;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.operator.build.WorkerPodBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An in-process worker speaking the real federation protocol (FederationClient + ClientLoop) with
 * deterministic pseudo-training: each round's update is the global adapter plus a small delta drawn
 * from (silo, round), its example count depends only on the silo, and the reported accuracy rises
 * with the round. Fast enough to run dozens of jobs at once.
 */
public final class FakeWorker implements TestKubelet.Worker {

  /** Called before each round's training; tests block here to hold a job mid-round. */
  public interface Gate {
    void beforeTraining(String job, String silo, int round) throws InterruptedException;
  }

  private final Gate gate;

  public FakeWorker(Gate gate) {
    this.gate = gate;
  }

  public FakeWorker() {
    this((job, silo, round) -> { });
  }

  @Override
  public void run(TestKubelet.WorkerArgs args) throws Exception {
    String shard = args.env().get(WorkerPodBuilder.ENV_SHARD);
    if (shard == null) {
      runParticipant(args, args.silo());
      return;
    }
    // A device shard runs each of its devices with the shard's one token, as the real worker does.
    JobDescription.Devices job = (JobDescription.Devices) JobDescriptionJson.read(
        args.env().get(WorkerPodBuilder.ENV_JOB_DESCRIPTION)).participant();
    List<String> devices = DeviceShards.devices(Integer.parseInt(shard),
        Integer.parseInt(args.env().get(WorkerPodBuilder.ENV_SHARDS)), job.count());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, devices.size()));
    try {
      List<Future<Void>> runs = new ArrayList<>();
      for (String d : devices) {
        runs.add(pool.submit(() -> {
          runParticipant(args, d);
          return null;
        }));
      }
      for (Future<Void> f : runs) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception x ? x : e;
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void runParticipant(TestKubelet.WorkerArgs args, String participant) throws Exception {
    FederationClient.Config cfg = FederationClient.Config.of(URI.create(args.endpoint()), JobId.parse(args.job()),
            participant, args.token())
        .withLongPoll(Duration.ofSeconds(2))
        .withRetry(new RetryPolicy(40, Duration.ofMillis(100), Duration.ofMillis(500), 0.2));
    FederationClient client = new FederationClient(cfg);
    TaskAnswer.Done done = ClientLoop.run(client, (task, global) -> train(args.job(), participant, task, global));
    if (done.phase() == io.fedtt.core.federation.JobPhase.FAILED) {
      throw new IllegalStateException("job failed: " + done.reason());
    }
  }

  private ClientLoop.LocalResult train(String job, String silo, RoundTask task, AdapterState global)
      throws InterruptedException {
    gate.beforeTraining(job, silo, task.round());
    SplittableRandom rnd = new SplittableRandom(silo.hashCode() * 31L + task.round());
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : task.trainable()) {
      Tensor t = global.get(name);
      float[] d = t.data().clone();
      for (int i = 0; i < d.length; i++) {
        d[i] += (float) ((rnd.nextDouble() - 0.5) * 1e-3);
      }
      out.put(name, new Tensor(t.shape(), d));
    }
    long examples = examples(silo);
    double accuracy = Math.min(0.95, 0.5 + 0.1 * task.round());
    return new ClientLoop.LocalResult(new AdapterState(out), examples, task.localSteps(),
        new EvalMetrics(accuracy, 1.0 / task.round(), 20));
  }

  /** The example count a silo reports: its aggregation weight. */
  public static long examples(String silo) {
    return 100 + Math.floorMod(silo.hashCode(), 50);
  }
}
