package io.fedtt.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Splits a dataset into clients: by a field's values (a natural partition such as the source
 * group), IID, or label-skewed with Dirichlet(alpha) shares. By field and IID work on any dataset;
 * Dirichlet needs labels, so a prompt-response (causal-lm) dataset refuses it. Every example goes to exactly one
 * client, and the same inputs and seed always give the same shards. Clients made by
 * {@link #iid} and {@link #dirichlet} are named {@code device-00000}, {@code device-00001}, ...,
 * the names cross-device jobs give their virtual clients.
 */
public final class Partitioners {

    private Partitioners() {}

    /** The name of the {@code index}-th virtual client. */
    public static String clientName(int index) {
        return String.format(Locale.ROOT, "device-%05d", index);
    }

    /** One client per distinct value of {@code field}, in the values' sorted order. */
    public static List<Shard> byField(Dataset data, String field) {
        Map<String, List<Integer>> groups = new TreeMap<>();
        List<Example> examples = data.examples();
        for (int i = 0; i < examples.size(); i++) {
            String value = examples.get(i).field(field);
            if (value == null) {
                throw new IllegalArgumentException(data.source() + ": example " + (i + 1) + " has no field \"" + field
                        + "\" to partition by (fields: " + String.join(", ", examples.get(i).fields().keySet()) + ")");
            }
            groups.computeIfAbsent(value, v -> new ArrayList<>()).add(i);
        }
        List<Shard> shards = new ArrayList<>();
        groups.forEach((value, indices) -> shards.add(new Shard(value, indices.stream().mapToInt(Integer::intValue).toArray())));
        return shards;
    }

    /** A uniform random split into {@code clients} shards whose sizes differ by at most one. */
    public static List<Shard> iid(Dataset data, int clients, long seed) {
        return iid(data.size(), clients, seed);
    }

    public static List<Shard> iid(int size, int clients, long seed) {
        checkClients(clients);
        int[] order = permutation(size, new SplittableRandom(seed));
        List<List<Integer>> assigned = emptyLists(clients);
        for (int k = 0; k < size; k++) {
            assigned.get(k % clients).add(order[k]);
        }
        return toShards(assigned);
    }

    /**
     * Label-skewed clients: for each label, shares over the clients are drawn from a symmetric
     * Dirichlet(alpha) and that label's examples (shuffled) are dealt out in those shares. Small
     * alpha (0.1) gives clients dominated by one or two labels; large alpha (100) approaches IID.
     * When there are at least as many examples as clients, every client gets at least one: an
     * empty client takes one example from the largest client.
     *
     * @throws IllegalArgumentException for a prompt-response (causal-lm) dataset, which has no labels
     */
    public static List<Shard> dirichlet(Dataset data, int clients, double alpha, long seed) {
        if (data.isPromptResponse()) {
            throw new IllegalArgumentException(data.source() + ": a Dirichlet partition splits by label, and"
                    + " prompt-response (causal-lm) data has no labels; partition by iid or field");
        }
        int[] labels = data.examples().stream().mapToInt(Example::label).toArray();
        return dirichlet(labels, data.labels().size(), clients, alpha, seed);
    }

    public static List<Shard> dirichlet(int[] labels, int numLabels, int clients, double alpha, long seed) {
        checkClients(clients);
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("Dirichlet alpha must be positive and finite, got " + alpha);
        }
        SplittableRandom random = new SplittableRandom(seed);
        GammaSampler gamma = new GammaSampler(random.split());
        List<List<Integer>> byLabel = emptyLists(numLabels);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numLabels) {
                throw new IllegalArgumentException("example " + i + " has label " + labels[i] + ", outside 0.." + (numLabels - 1));
            }
            byLabel.get(labels[i]).add(i);
        }
        List<List<Integer>> assigned = emptyLists(clients);
        for (List<Integer> members : byLabel) {
            if (members.isEmpty()) {
                continue;
            }
            int[] order = permutation(members.size(), random);
            int[] counts = apportion(members.size(), gamma.dirichlet(alpha, clients));
            int next = 0;
            for (int c = 0; c < clients; c++) {
                for (int k = 0; k < counts[c]; k++) {
                    assigned.get(c).add(members.get(order[next++]));
                }
            }
        }
        fillEmptyClients(assigned);
        return toShards(assigned);
    }

    /** Integer counts summing to {@code n}, proportional to {@code shares} (largest remainder, ties to the lower index). */
    static int[] apportion(int n, double[] shares) {
        int[] counts = new int[shares.length];
        double[] remainders = new double[shares.length];
        int given = 0;
        for (int i = 0; i < shares.length; i++) {
            double exact = n * shares[i];
            counts[i] = (int) Math.floor(exact);
            remainders[i] = exact - counts[i];
            given += counts[i];
        }
        Integer[] byRemainder = new Integer[shares.length];
        for (int i = 0; i < shares.length; i++) {
            byRemainder[i] = i;
        }
        Arrays.sort(byRemainder, (a, b) -> remainders[a] != remainders[b] ? Double.compare(remainders[b], remainders[a]) : Integer.compare(a, b));
        for (int k = 0; given < n; k++, given++) {
            counts[byRemainder[k % shares.length]]++;
        }
        return counts;
    }

    /** Gives each empty client one example, taken from the currently largest client (lowest index on ties). */
    private static void fillEmptyClients(List<List<Integer>> assigned) {
        int total = assigned.stream().mapToInt(List::size).sum();
        if (total < assigned.size()) {
            return; // not possible for every client
        }
        for (List<Integer> client : assigned) {
            if (!client.isEmpty()) {
                continue;
            }
            List<Integer> largest = assigned.get(0);
            for (List<Integer> other : assigned) {
                if (other.size() > largest.size()) {
                    largest = other;
                }
            }
            client.add(largest.remove(largest.size() - 1));
        }
    }

    /** A seeded Fisher-Yates permutation of 0..n-1. */
    private static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static void checkClients(int clients) {
        if (clients < 1) {
            throw new IllegalArgumentException("the number of clients must be at least 1, got " + clients);
        }
    }

    private static List<List<Integer>> emptyLists(int n) {
        List<List<Integer>> lists = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lists.add(new ArrayList<>());
        }
        return lists;
    }

    private static List<Shard> toShards(List<List<Integer>> assigned) {
        List<Shard> shards = new ArrayList<>(assigned.size());
        for (int c = 0; c < assigned.size(); c++) {
            int[] indices = assigned.get(c).stream().mapToInt(Integer::intValue).sorted().toArray();
            shards.add(new Shard(clientName(c), indices));
        }
        return shards;
    }
}
