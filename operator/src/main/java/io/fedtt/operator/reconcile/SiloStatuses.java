package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.status.SiloPhase;
import io.fedtt.api.v1alpha1.status.SiloStatus;
import io.fedtt.core.federation.RoundRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Per-silo status from the observed pods, the restart counts and the rounds' participants. Pure. */
public final class SiloStatuses {

  private SiloStatuses() {}

  public static List<SiloStatus> of(List<SlotState> slots, Map<String, Integer> restarts, List<RoundRecord> history,
      boolean suspended) {
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
      Integer last = null;
      for (RoundRecord rec : history) {
        if (rec.completed() && rec.participants().contains(name)) {
          last = last == null ? rec.round() : Math.max(last, rec.round());
        }
      }
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
