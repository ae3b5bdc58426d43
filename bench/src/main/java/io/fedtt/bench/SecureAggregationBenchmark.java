package io.fedtt.bench;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.aggregate.StreamingFedAvg;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.privacy.secagg.KeyAdvert;
import io.fedtt.core.privacy.secagg.SealedShare;
import io.fedtt.core.privacy.secagg.SecAggParticipant;
import io.fedtt.core.privacy.secagg.SecureSum;
import io.fedtt.core.privacy.secagg.SecureVector;
import io.fedtt.core.tensor.AdapterState;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The compute of one secure-aggregation round, all parties in one thread, for the quick start's
 * all-MiniLM-L6-v2 TT adapter (every tensor trainable): every participant's keys, shares, fixed-point encoding and
 * masking, the coordinator's running sum, one participant dropping after its masks were agreed, the
 * survivors' reveals and the unmasking. Next to it, the plain round's coordinator work: StreamingFedAvg
 * over the same updates. Scores are per round; divide by the participants for per-update figures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SecureAggregationBenchmark {

    @Param({"3", "10"})
    public int participants;

    private AdapterState global;
    private List<String> trainable;
    private AdapterState[] updates;
    private final SecureRandom random = new SecureRandom();

    @Setup
    public void setup() {
        AdapterLayout layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt());
        global = AdapterInitializer.initialize(layout, 3);
        trainable = List.copyOf(global.names());
        updates = new AdapterState[participants];
        for (int i = 0; i < participants; i++) {
            updates[i] = RobertaAdapter.update(global, i); // any global: plus Gaussian noise on every tensor
        }
    }

    @Benchmark
    public long[] secureRoundWithOneDropout() {
        int n = participants;
        int threshold = Math.max(2, (2 * n + 2) / 3);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(String.format("p%03d", i));
        }
        SecureSum server = new SecureSum("bench", names, threshold, SecureVector.length(global, trainable));
        List<SecAggParticipant> parties = new ArrayList<>();
        for (String name : names) {
            SecAggParticipant p = new SecAggParticipant(name, "bench", threshold, random);
            parties.add(p);
            server.advertise(p.advertise());
        }
        server.closeAdvertising();
        List<KeyAdvert> roster = server.roster();
        for (int i = 0; i < n; i++) {
            List<SealedShare> s = parties.get(i).share(roster);
            server.share(names.get(i), s);
        }
        server.closeSharing();
        List<String> contributors = List.copyOf(server.contributors());
        for (int i = 0; i < n - 1; i++) { // the last one drops after its masks were agreed
            long[] input = SecureVector.encode(updates[i], global, trainable, 100 + i, n);
            server.addMasked(names.get(i), parties.get(i).mask(input, contributors, server.inbox(names.get(i))), "d" + i);
        }
        server.closeMasking();
        List<String> survivors = List.copyOf(server.survivors());
        List<String> dropped = List.copyOf(server.dropped());
        for (int i = 0; i < threshold; i++) {
            server.reveal(names.get(i), parties.get(i).reveal(survivors, dropped));
        }
        return server.unmask();
    }

    @Benchmark
    public AdapterState plainStreamingFedAvg() {
        StreamingFedAvg avg = new StreamingFedAvg(global, TrainableMask.of(trainable));
        for (int i = 0; i < participants - 1; i++) {
            avg.add(updates[i], 100 + i);
        }
        return avg.result();
    }
}
