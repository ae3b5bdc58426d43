package io.fedtt.core.federation.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.Fx;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.Participant;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.Sampling;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.store.FileRoundStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cross-device population of 10,000 registered participants with 20 sampled per round, every one
 * of them long-polling each round (what the HTTP server counts for a parked task request): what the
 * coordinator keeps per round and writes to its store is the sample's, never the population's. The
 * store of the 10,000-device job is as small as that of a job whose 20 devices are all sampled.
 */
class PopulationStorageTest {

    private static final int ROUNDS = 3;
    private static final int PER_ROUND = 20;
    private static final Pattern DEVICE = Pattern.compile("device-\\d{5}");

    @Test
    void tenThousandRegisteredLeaveOnlyTheSampleInTheRecordsAndTheStore(@TempDir Path dir) throws Exception {
        Set<String> everSelected = new TreeSet<>();
        RoundCoordinator big = run(10_000, dir.resolve("population"), everSelected);
        for (RoundRecord r : big.history()) {
            assertEquals(PER_ROUND, r.selected().size());
            assertTrue(r.selected().containsAll(r.traffic().keySet()), "round " + r.round() + " tallies traffic of "
                    + r.traffic().size() + " participants, not only its " + PER_ROUND + " sampled ones");
        }
        assertTrue(everSelected.size() > PER_ROUND, "different devices each round: " + everSelected.size());

        Set<String> stored = namesIn(dir.resolve("population"));
        stored.removeAll(everSelected);
        assertTrue(stored.isEmpty(), "the store names " + stored.size() + " devices never sampled, e.g. "
                + stored.stream().limit(3).toList());
        long population = bytesIn(dir.resolve("population"));
        run(PER_ROUND, dir.resolve("sample"), new TreeSet<>());
        long sampleOnly = bytesIn(dir.resolve("sample"));
        assertTrue(population <= sampleOnly * 11 / 10 + 1024, "the store of 10,000 registered devices holds "
                + population + " bytes, the store of a job with only its 20 sampled devices " + sampleOnly);
    }

    /** A job of {@code registered} devices run to its end; every device polls every round. */
    private static RoundCoordinator run(int registered, Path store, Set<String> everSelected) {
        List<String> devices = Fx.names("device-", registered);
        FederationJobSpec spec = FederationJobSpec.builder(new JobId("devices", "population"), Fx.smallAdapter())
                .participants(devices.stream().map(Participant::of).toList())
                .sampling(Sampling.count(PER_ROUND)).minParticipants(PER_ROUND).rounds(ROUNDS).seed(7).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new FileRoundStore(store),
                CoordinatorOptions.defaults().withDriver(Runnable::run));
        for (int r = 1; r <= ROUNDS; r++) {
            List<String> selected = c.selected();
            everSelected.addAll(selected);
            RoundTask task = null;
            for (String d : devices) {
                TaskAnswer a = c.task(d, r - 1);
                if (a instanceof TaskAnswer.Work w) {
                    task = w.task();
                }
                c.traffic().record(r, d, 0, 60); // the answer's bytes, as the server counts them
            }
            for (String d : selected) {
                c.submit(d, r, Fx.updateBytes(c.global(), task.trainable(), d, r, task.wireDType()));
            }
        }
        assertEquals(JobPhase.SUCCEEDED, c.status().phase());
        c.close();
        return c;
    }

    private static Set<String> namesIn(Path dir) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Matcher m = DEVICE.matcher(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    out.add(m.group());
                }
                Matcher n = DEVICE.matcher(dir.relativize(f).toString());
                while (n.find()) {
                    out.add(n.group());
                }
            }
        }
        return out;
    }

    private static long bytesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long sum = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                sum += Files.size(f);
            }
            return sum;
        }
    }
}
