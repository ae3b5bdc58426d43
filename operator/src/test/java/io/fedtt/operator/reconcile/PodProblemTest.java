package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PodProblemTest {

  private static Pod pod(PodStatus st) {
    return new PodBuilder().withNewMetadata().withName("p").endMetadata().withStatus(st).build();
  }

  @Test
  void oomKilledWinsAndIsFoundInLastStateToo() {
    Pod p = pod(new PodStatusBuilder().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder()
        .withName("worker").withState(new ContainerStateBuilder().withNewRunning().endRunning().build())
        .withLastState(new ContainerStateBuilder().withNewTerminated().withReason("OOMKilled").withExitCode(137)
            .endTerminated().build()).build()).build());
    assertEquals("OOMKilled", PodProblem.of(p).orElseThrow().reason());
  }

  @Test
  void waitingReasons() {
    for (String reason : new String[] {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull"}) {
      Pod p = pod(new PodStatusBuilder().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder()
          .withName("worker").withImage("img:1").withState(new ContainerStateBuilder().withNewWaiting()
              .withReason(reason).withMessage("details").endWaiting().build()).build()).build());
      PodProblem problem = PodProblem.of(p).orElseThrow();
      assertEquals(reason, problem.reason());
      assertTrue(problem.message().contains("img:1") && problem.message().contains("details"), problem.message());
    }
    Pod creating = pod(new PodStatusBuilder().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder()
        .withName("worker").withState(new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating")
            .endWaiting().build()).build()).build());
    assertTrue(PodProblem.of(creating).isEmpty(), "ContainerCreating is no problem");
  }

  @Test
  void unschedulableAndExitCodes() {
    Pod p = pod(new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
        .withType("PodScheduled").withStatus("False").withReason("Unschedulable").withMessage("no gpu").build()).build());
    assertEquals(new PodProblem("Unschedulable", "no gpu"), PodProblem.of(p).orElseThrow());
    Pod failed = pod(new PodStatusBuilder().withPhase("Failed").withContainerStatuses(new ContainerStatusBuilder()
        .withName("worker").withState(new ContainerStateBuilder().withNewTerminated().withExitCode(3)
            .withMessage("bad data").endTerminated().build()).build()).build());
    PodProblem problem = PodProblem.of(failed).orElseThrow();
    assertEquals("Error", problem.reason());
    assertTrue(problem.message().contains("code 3") && problem.message().contains("bad data"), problem.message());
    assertTrue(PodProblem.of(pod(new PodStatusBuilder().withPhase("Running").build())).isEmpty());
  }

  @Test
  void backoffDoublesUpToTheCap() {
    Backoff b = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(6));
    assertEquals(Duration.ZERO, b.delay(0));
    assertEquals(Duration.ofSeconds(10), b.delay(1));
    assertEquals(Duration.ofSeconds(20), b.delay(2));
    assertEquals(Duration.ofSeconds(160), b.delay(5));
    assertEquals(Duration.ofMinutes(6), b.delay(7));
    assertEquals(Duration.ofMinutes(6), b.delay(100));
  }
}
