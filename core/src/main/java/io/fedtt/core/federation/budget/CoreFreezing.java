package io.fedtt.core.federation.budget;

import io.fedtt.core.freeze.TrainableMask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Smaller masks than a freezing policy's choice, for rounds that would not fit the byte budget:
 * each step freezes one more trainable TT core in every layer that still trains more than one
 * (the highest-numbered first, so the result is deterministic and a restart recomputes it). Every
 * layer keeps at least one trainable core and non-core tensors always stay trainable, as the
 * freezing policies keep them.
 */
public final class CoreFreezing {

    /** TT cores are named {@code <layer>.cores.<k>} (see TtLayerSpec.coreName). */
    private static final Pattern CORE = Pattern.compile("^(.*)\\.cores\\.(\\d+)$");

    private CoreFreezing() {
    }

    /** {@code mask} followed by ever smaller masks, down to one core per layer; just {@code mask} without cores. */
    public static List<TrainableMask> shrinking(TrainableMask mask) {
        SortedSet<String> rest = new TreeSet<>();
        Map<String, TreeSet<Integer>> cores = new TreeMap<>();
        for (String name : mask.trainable()) {
            Matcher m = CORE.matcher(name);
            if (m.matches()) {
                cores.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(Integer.parseInt(m.group(2)));
            } else {
                rest.add(name);
            }
        }
        List<TrainableMask> out = new ArrayList<>();
        out.add(mask);
        while (true) {
            boolean dropped = false;
            for (TreeSet<Integer> ks : cores.values()) {
                if (ks.size() > 1) {
                    ks.pollLast();
                    dropped = true;
                }
            }
            if (!dropped) {
                return out;
            }
            SortedSet<String> names = new TreeSet<>(rest);
            cores.forEach((layer, ks) -> ks.forEach(k -> names.add(layer + ".cores." + k)));
            out.add(new TrainableMask(names));
        }
    }
}
