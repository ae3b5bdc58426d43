package io.fedtt.api.v1alpha1.status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The bounded, ordered per-round history kept in status. */
public final class History {
  /** Rounds kept; older ones are dropped so the status object stays small. */
  public static final int MAX_ROUNDS = 100;

  private History() {}

  /**
   * Returns a new list with {@code record} added, ordered by round, holding at most
   * {@link #MAX_ROUNDS} entries (the newest). A record for a round already present replaces it, so
   * repeating a reconcile cannot duplicate a round.
   */
  public static List<RoundRecord> append(List<RoundRecord> history, RoundRecord record) {
    List<RoundRecord> result = new ArrayList<>();
    if (history != null) {
      for (RoundRecord r : history) {
        if (!java.util.Objects.equals(r.getRound(), record.getRound())) {
          result.add(r);
        }
      }
    }
    result.add(record);
    result.sort(Comparator.comparing(RoundRecord::getRound, Comparator.nullsFirst(Comparator.naturalOrder())));
    return result.size() <= MAX_ROUNDS
        ? result
        : new ArrayList<>(result.subList(result.size() - MAX_ROUNDS, result.size()));
  }
}
