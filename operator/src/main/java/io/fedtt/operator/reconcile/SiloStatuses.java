package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.SiloPhase;
import io.fedtt.api.v1alpha1.status.SiloStatus;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.operator.build.WorkerSlots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-slot status (a silo, or a cross-device worker shard) from the observed pods, the restart
 * counts and the rounds' participants. A shard's last round and examples are its devices'. Pure.
 */
public final class SiloStatuses {

  private SiloStatuses() {}

  public static List<SiloStatus> of(FederatedFineTune job, List<SlotState> slots, Map<String, Integer> restarts,
      List<RoundRecord> history, boolean suspended) {
    Map<String, List<String>> actsFor = WorkerSlots.actsFor(job, slots.stream().map(SlotState::slot).toList());
    List<SiloStatus> out = new ArrayList<>();
    for (SlotState s : slots) {
      SiloStatus st = new SiloStatus();
      String name = s.slot().name();
      st.setName(name);
      st.setPod(s.pod() == null ? null : s.pod().getMetadata().getName());
      st.setPhase(switch (s.kind()) {
        case RUNNING -> SiloPhase.Running;
        case SUCCEEDED -> SiloPhase.Succeeded;
        case FAILED -> SiloPhase.Failed;
        default -> SiloPhase.Pending;
      });
      int r = restarts.getOrDefault(name, 0);
      st.setRestarts(r == 0 ? null : r);
      Set<String> participants = Set.copyOf(actsFor.getOrDefault(name, List.of(name)));
      Integer last = null;
      Map<String, Long> examples = new HashMap<>(); // each participant's latest report
      for (RoundRecord rec : history) {
        if (rec.completed() && rec.participants().stream().anyMatch(participants::contains)) {
          last = last == null ? rec.round() : Math.max(last, rec.round());
          rec.examplesBy().forEach((p, n) -> {
            if (participants.contains(p)) {
              examples.put(p, n);
            }
          });
        }
      }
      st.setExamples(examples.isEmpty() ? null : examples.values().stream().mapToLong(Long::longValue).sum());
      st.setLastRound(last);
      if (suspended) {
        st.setReason("Suspended");
        st.setMessage("the job is suspended; its pod is deleted");
      } else {
        s.problem().ifPresent(p -> {
          st.setReason(p.reason());
          st.setMessage(p.message());
        });
      }
      out.add(st);
    }
    return out;
  }
}
