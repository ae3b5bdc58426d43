package io.fedtt.operator.federation;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.coordinator.RoundListener;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's side of federation: one {@link FederationServer} for every job, and one
 * {@link RoundCoordinator} per running job, each persisting to its own directory under one store
 * root ({@code <root>/jobs/<namespace>/<name>}). Opening a coordinator for a job whose directory
 * holds state resumes it at the round it was in, which is how an operator restart continues a job.
 *
 * <p>Reconciles call {@link #ensure} every time; it is cheap when the job is already hosted.
 */
public final class FederationHost implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(FederationHost.class.getName());

  private volatile FederationServer server;
  private final Path root;
  private final CoordinatorOptions options;
  private final Map<JobId, Hosted> jobs = new ConcurrentHashMap<>();

  /**
   * A hosted job: its coordinator, the key of the spec it was opened for, its tokens (holder ->
   * token) and the participants each holder acts for (a device shard acts for its devices).
   */
  private record Hosted(RoundCoordinator coordinator, String specKey, Map<String, String> tokens,
      Map<String, List<String>> actsFor) {}

  /**
   * @param server the endpoint to serve jobs on; null to collect jobs first and {@link #attach} it
   *     later (an operator restart re-hosts every running job before workers can reach it)
   * @param options coordinator options for every job; {@code listeners} are added to each
   */
  public FederationHost(FederationServer server, Path storeRoot, CoordinatorOptions options, RoundListener... listeners) {
    this.server = server;
    this.root = storeRoot;
    CoordinatorOptions o = options;
    for (RoundListener l : listeners) {
      o = o.withListener(l);
    }
    this.options = o;
  }

  /**
   * Hosts the job if it is not hosted yet (resuming from its store), or re-opens it when the parts
   * of the spec the coordinator uses changed ({@code specKey} differs: mutable fields such as
   * rounds.total then take effect at the current round), and keeps the server's tokens in step with
   * the job's Secret.
   *
   * @param specKey identifies the coordinator-relevant spec (e.g. its JSON)
   * @param spec builds the coordinator's job spec; called only when a coordinator is opened
   */
  public RoundCoordinator ensure(JobId job, String specKey, Supplier<FederationJobSpec> spec,
      Map<String, String> tokens) {
    return ensure(job, specKey, spec, tokens, Map.of());
  }

  /**
   * Like {@link #ensure(JobId, String, Supplier, Map)}, where each token holder acts for the
   * participants {@code actsFor} lists (holder -> participants); a holder not listed acts for itself.
   */
  public synchronized RoundCoordinator ensure(JobId job, String specKey, Supplier<FederationJobSpec> spec,
      Map<String, String> tokens, Map<String, List<String>> actsFor) {
    Hosted h = jobs.get(job);
    if (h != null && !h.specKey().equals(specKey)) {
      LOG.log(System.Logger.Level.INFO, "job " + job + ": its rounds or participants changed, re-opening its coordinator");
      release(job);
      h = null;
    }
    if (h == null) {
      RoundCoordinator c = RoundCoordinator.open(spec.get(), FileRoundStore.forJob(jobsRoot(), job), options);
      h = new Hosted(c, specKey, Map.copyOf(tokens), Map.copyOf(actsFor));
      jobs.put(job, h);
      serve(h);
    } else if (!h.tokens().equals(tokens) || !h.actsFor().equals(actsFor)) {
      h = new Hosted(h.coordinator(), specKey, Map.copyOf(tokens), Map.copyOf(actsFor));
      jobs.put(job, h);
      serve(h);
    }
    return h.coordinator();
  }

  /** Starts serving every job hosted so far, and later ones as they come, on {@code endpoint}. */
  public synchronized void attach(FederationServer endpoint) {
    this.server = endpoint;
    jobs.values().forEach(this::serve);
  }

  private void serve(Hosted h) {
    if (server != null) {
      server.host(h.coordinator(), TokenRegistry.of(h.tokens(), h.actsFor()));
    }
  }

  public Optional<RoundCoordinator> coordinator(JobId job) {
    Hosted h = jobs.get(job);
    return h == null ? Optional.empty() : Optional.of(h.coordinator());
  }

  public boolean hosts(JobId job) {
    return jobs.containsKey(job);
  }

  /**
   * Stops serving a job and closes its coordinator; its store stays, so {@link #ensure} resumes it
   * at the same round (suspend, finished jobs, spec changes).
   */
  public synchronized void release(JobId job) {
    Hosted h = jobs.remove(job);
    if (h != null) {
      if (server != null) {
        server.unhost(job);
      }
      h.coordinator().close();
    }
  }

  /** Releases a job and deletes its round state (the job's resource is gone). */
  public synchronized void forget(JobId job) {
    release(job);
    deleteTree(storeDir(job));
  }

  /** Whether a job has round state on disk (it ran before, possibly under another operator process). */
  public boolean hasState(JobId job) {
    return Files.exists(storeDir(job).resolve("state.json"));
  }

  public Path storeDir(JobId job) {
    return jobsRoot().resolve(job.namespace()).resolve(job.name());
  }

  /** Where final adapters go when the job names no output: {@code <root>/outputs/<namespace>/<name>}. */
  public Path defaultOutputDir(JobId job) {
    return root.resolve("outputs").resolve(job.namespace()).resolve(job.name());
  }

  public int hostedJobs() {
    return jobs.size();
  }

  public FederationServer server() {
    return server;
  }

  private Path jobsRoot() {
    return root.resolve("jobs");
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    for (JobId id : jobs.keySet().toArray(JobId[]::new)) {
      release(id);
    }
  }
}
