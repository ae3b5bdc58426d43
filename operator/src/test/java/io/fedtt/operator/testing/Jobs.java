package io.fedtt.operator.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fedtt.api.v1alpha1.AdapterSpec;
import io.fedtt.api.v1alpha1.AdapterType;
import io.fedtt.api.v1alpha1.DevicesSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.ModelSpec;
import io.fedtt.api.v1alpha1.RoundsSpec;
import io.fedtt.api.v1alpha1.RunPolicy;
import io.fedtt.api.v1alpha1.SiloData;
import io.fedtt.api.v1alpha1.SiloSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Small FederatedFineTune resources for tests: a tiny TT adapter on the built-in model. */
public final class Jobs {

  private Jobs() {}

  public static FederatedFineTune job(String namespace, String name, int rounds, String... silos) {
    FederatedFineTune job = new FederatedFineTune();
    job.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name)
        .withUid(UUID.nameUUIDFromBytes((namespace + "/" + name).getBytes()).toString()).withGeneration(1L).build());
    FederatedFineTuneSpec spec = new FederatedFineTuneSpec();
    ModelSpec model = new ModelSpec();
    model.setUri("builtin:all-minilm-l6-v2");
    model.setLabels(List.of("ham", "spam"));
    spec.setModel(model);
    AdapterSpec adapter = new AdapterSpec();
    adapter.setType(AdapterType.TT);
    adapter.setTtRank(2);
    adapter.setBottleneck(8);
    adapter.setTrainLayerNorm(false);
    spec.setAdapter(adapter);
    RoundsSpec r = new RoundsSpec();
    r.setTotal(rounds);
    r.setLocalSteps(1);
    r.setMinSilos(silos.length);
    r.setRoundTimeoutSeconds(30);
    r.setSeed(7L);
    spec.setRounds(r);
    List<SiloSpec> list = new ArrayList<>();
    for (String s : silos) {
      SiloSpec silo = new SiloSpec();
      silo.setName(s);
      SiloData d = new SiloData();
      d.setTrain("file:/data/" + s + "/train.jsonl");
      silo.setData(d);
      list.add(silo);
    }
    spec.setSilos(list);
    RunPolicy p = new RunPolicy();
    p.setBackoffLimit(3);
    spec.setRunPolicy(p);
    job.setSpec(spec);
    return job;
  }

  /** A cross-device job: {@code count} devices, {@code perRound} sampled a round, run by {@code workers} shards. */
  public static FederatedFineTune devices(String namespace, String name, int rounds, int count, int perRound,
      int workers) {
    FederatedFineTune job = job(namespace, name, rounds);
    job.getSpec().setSilos(null);
    job.getSpec().getRounds().setMinSilos(perRound);
    DevicesSpec d = new DevicesSpec();
    d.setCount(count);
    d.setPerRound(perRound);
    d.setWorkers(workers);
    SiloData data = new SiloData();
    data.setTrain("file:/data/train.jsonl");
    d.setData(data);
    job.getSpec().setDevices(d);
    return job;
  }
}
