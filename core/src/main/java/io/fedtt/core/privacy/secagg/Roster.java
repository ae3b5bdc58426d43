package io.fedtt.core.privacy.secagg;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The session's participants in name order, which numbers the share holders. */
final class Roster {

    private Roster() {
    }

    static List<KeyAdvert> sorted(List<KeyAdvert> adverts) {
        List<KeyAdvert> s = new ArrayList<>(adverts);
        s.sort(Comparator.comparing(KeyAdvert::participant));
        for (int i = 1; i < s.size(); i++) {
            if (s.get(i).participant().equals(s.get(i - 1).participant())) {
                throw SecAggException.invalid("'" + s.get(i).participant() + "' appears twice in the roster");
            }
        }
        return s;
    }

    static int indexOf(List<KeyAdvert> sorted, String name) {
        int lo = 0;
        int hi = sorted.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = sorted.get(mid).participant().compareTo(name);
            if (c == 0) {
                return mid;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    /** The sign {@code u} gives its pairwise mask with {@code v}: + for the smaller name, - for the larger. */
    static int sign(String u, String v) {
        return u.compareTo(v) < 0 ? 1 : -1;
    }
}
