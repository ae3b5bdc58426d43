package io.fedtt.operator.federation;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.coordinator.RoundListener;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;

/**
 * Turns the coordinators' round events into reconcile triggers for the job's resource, so status
 * follows round progress without any polling. Individual uploads do not trigger: a round opening,
 * completing, failing or the job finishing does.
 */
public final class RoundEventSource extends AbstractEventSource<JobStatus, FederatedFineTune> implements RoundListener {

  public static final String NAME = "fedtt-rounds";

  public RoundEventSource() {
    super(JobStatus.class, NAME);
  }

  @Override
  public void roundOpened(JobId job, int round, int attempt, int selected) {
    trigger(job);
  }

  @Override
  public void roundFailed(JobId job, RoundRecord record, boolean retrying) {
    trigger(job);
  }

  @Override
  public void roundCompleted(JobId job, RoundRecord record) {
    trigger(job);
  }

  @Override
  public void jobFinished(JobId job, JobStatus status) {
    trigger(job);
  }

  /** The reconciler reads round state from the coordinator itself; this source only triggers. */
  @Override
  public Set<JobStatus> getSecondaryResources(FederatedFineTune primary) {
    return Set.of();
  }

  private void trigger(JobId job) {
    if (isRunning() && getEventHandler() != null) {
      getEventHandler().handleEvent(new Event(new ResourceID(job.name(), job.namespace())));
    }
  }
}
