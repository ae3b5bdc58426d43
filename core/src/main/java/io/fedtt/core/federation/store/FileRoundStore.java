package io.fedtt.core.federation.store;

import io.fedtt.core.federation.JobId;
import io.fedtt.core.tensor.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link RoundStore} in one directory per job:
 * <pre>
 *   state.json                                      "sha256:&lt;hex&gt;\n" + coordinator snapshot JSON
 *   globals/v000003.&lt;sha256&gt;.safetensors           global adapter after 3 rounds
 *   history/h000002.&lt;sha256&gt;.json                   history entry 2 (one try of one round)
 *   updates/r000004/&lt;participant&gt;.&lt;sha256&gt;.safetensors   accepted updates of open round 4
 * </pre>
 * Each file is written atomically (see {@link AtomicFiles}); its checksum is in its name (or first
 * line), so a file is complete and intact exactly when its content hashes to it. Stray temporary
 * files from a crash mid-write are removed when the store opens: nothing was acknowledged for them.
 */
public final class FileRoundStore implements RoundStore {

    private static final String STATE = "state.json";
    private static final String STATE_PREFIX = "sha256:";
    private static final Pattern GLOBAL = Pattern.compile("v(\\d{6,})\\.([0-9a-f]{64})\\.safetensors");
    private static final Pattern HISTORY = Pattern.compile("h(\\d{6,})\\.([0-9a-f]{64})\\.json");
    private static final Pattern UPDATE = Pattern.compile("(.+)\\.([0-9a-f]{64})\\.safetensors");

    private final Path dir;

    public FileRoundStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            removeTemporaryFiles(dir);
        } catch (IOException e) {
            throw new StoreIoException("cannot open round store " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The store of {@code job} under {@code root}: {@code root/<namespace>/<name>}. */
    public static FileRoundStore forJob(Path root, JobId job) {
        return new FileRoundStore(root.resolve(job.namespace()).resolve(job.name()));
    }

    public Path directory() {
        return dir;
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    @Override
    public Optional<byte[]> loadState() {
        Path file = dir.resolve(STATE);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreIoException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int nl = indexOf(all, (byte) '\n');
        String head = nl < 0 ? "" : new String(all, 0, nl, StandardCharsets.US_ASCII);
        if (!head.startsWith(STATE_PREFIX) || head.length() != STATE_PREFIX.length() + 64) {
            throw new StoreCorruptedException("store file " + file + " is damaged: its first line is not 'sha256:<hex>'");
        }
        byte[] body = Arrays.copyOfRange(all, nl + 1, all.length);
        String expected = head.substring(STATE_PREFIX.length());
        String actual = Digest.sha256Hex(body);
        if (!expected.equals(actual)) {
            throw new StoreCorruptedException("store file " + file + " is damaged: sha256 of its content is " + actual
                    + ", its header says " + expected);
        }
        return Optional.of(body);
    }

    @Override
    public void saveState(byte[] snapshot) {
        byte[] head = (STATE_PREFIX + Digest.sha256Hex(snapshot) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + snapshot.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(snapshot, 0, all, head.length, snapshot.length);
        write(dir.resolve(STATE), all);
    }

    @Override
    public void putHistory(int index, byte[] record) {
        putNumbered(dir.resolve("history"), String.format("h%06d.%s.json", index, Digest.sha256Hex(record)), HISTORY,
                index, record);
    }

    @Override
    public List<byte[]> history(int count) {
        Path hd = dir.resolve("history");
        Map<Integer, Path> files = numbered(hd, HISTORY, "history entry");
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Path p = files.get(i);
            if (p == null) {
                throw new StoreCorruptedException("store " + dir + " has no file for history entry " + i
                        + " (expected " + hd.resolve(String.format("h%06d.<sha256>.json", i)) + ")");
            }
            out.add(readNumbered(p, HISTORY));
        }
        return out;
    }

    @Override
    public void putGlobal(int version, byte[] encoded, String sha256) {
        putNumbered(dir.resolve("globals"), String.format("v%06d.%s.safetensors", version, sha256), GLOBAL, version, encoded);
    }

    @Override
    public byte[] global(int version) {
        Path globals = dir.resolve("globals");
        Path found = numbered(globals, GLOBAL, "global adapter version").get(version);
        if (found == null) {
            throw new StoreCorruptedException("store " + dir + " has no file for global adapter version " + version
                    + " (expected " + globals.resolve(String.format("v%06d.<sha256>.safetensors", version)) + ")");
        }
        return readNumbered(found, GLOBAL);
    }

    /** Writes numbered file {@code name}, replacing other content for the same number (rewritten after a crash). */
    private void putNumbered(Path d, String name, Pattern pattern, int number, byte[] bytes) {
        for (Path old : list(d)) {
            Matcher m = pattern.matcher(old.getFileName().toString());
            if (m.matches() && Integer.parseInt(m.group(1)) == number && !old.getFileName().toString().equals(name)) {
                delete(old);
            }
        }
        write(d.resolve(name), bytes);
    }

    private Map<Integer, Path> numbered(Path d, Pattern pattern, String what) {
        Map<Integer, Path> out = new HashMap<>();
        for (Path p : list(d)) {
            Matcher m = pattern.matcher(p.getFileName().toString());
            if (m.matches()) {
                Path other = out.put(Integer.parseInt(m.group(1)), p);
                if (other != null) {
                    throw new StoreCorruptedException("store " + dir + " holds two files for " + what + " "
                            + Integer.parseInt(m.group(1)) + ": " + other.getFileName() + " and " + p.getFileName());
                }
            }
        }
        return out;
    }

    private static byte[] readNumbered(Path p, Pattern pattern) {
        Matcher m = pattern.matcher(p.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalStateException(p.toString());
        }
        return readVerified(p, m.group(2));
    }

    @Override
    public void putUpdate(int round, String participant, byte[] encoded, String sha256) {
        write(roundDir(round).resolve(participant + "." + sha256 + ".safetensors"), encoded);
    }

    @Override
    public List<StoredUpdate> updates(int round) {
        List<StoredUpdate> out = new ArrayList<>();
        String previous = null;
        List<Path> files = list(roundDir(round));
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        for (Path p : files) {
            String file = p.getFileName().toString();
            Matcher m = UPDATE.matcher(file);
            if (!m.matches()) {
                throw new StoreCorruptedException("store file " + p + " is not an update file ('<participant>.<sha256>.safetensors')");
            }
            String participant = m.group(1);
            if (participant.equals(previous)) {
                throw new StoreCorruptedException("store " + roundDir(round) + " holds two updates from '" + participant + "'");
            }
            previous = participant;
            out.add(new StoredUpdate(participant, readVerified(p, m.group(2)), m.group(2)));
        }
        return out;
    }

    @Override
    public void deleteUpdate(int round, String participant) {
        Path rd = roundDir(round);
        for (Path p : list(rd)) {
            Matcher m = UPDATE.matcher(p.getFileName().toString());
            if (m.matches() && m.group(1).equals(participant)) {
                delete(p);
            }
        }
    }

    /**
     * Deletes old rounds' update files without forcing each deletion: a file that comes back after
     * a crash lies in an old round's folder, which is never read, and is pruned again.
     */
    @Override
    public void pruneUpdatesBefore(int round) {
        Path updates = dir.resolve("updates");
        boolean any = false;
        for (Path rd : list(updates)) {
            String name = rd.getFileName().toString();
            if (name.matches("r\\d{6,}") && Integer.parseInt(name.substring(1)) < round) {
                try {
                    for (Path f : list(rd)) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(rd);
                } catch (IOException e) {
                    throw new StoreIoException("cannot prune " + rd + ": " + e.getMessage(), e);
                }
                any = true;
            }
        }
        if (any) {
            try {
                AtomicFiles.forceDirectory(updates);
            } catch (IOException e) {
                throw new StoreIoException("cannot prune " + updates + ": " + e.getMessage(), e);
            }
        }
    }

    private Path roundDir(int round) {
        return dir.resolve("updates").resolve(String.format("r%06d", round));
    }

    private static byte[] readVerified(Path file, String expected) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StoreIoException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String actual = Digest.sha256Hex(bytes);
        if (!actual.equals(expected)) {
            throw new StoreCorruptedException("store file " + file + " is damaged: its content hashes to sha256 "
                    + actual + " (" + bytes.length + " bytes), not the " + expected + " in its name");
        }
        return bytes;
    }

    private static void write(Path target, byte[] bytes) {
        try {
            AtomicFiles.write(target, bytes);
        } catch (IOException e) {
            throw new StoreIoException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path p) {
        try {
            if (Files.deleteIfExists(p)) {
                AtomicFiles.forceDirectory(p.getParent());
            }
        } catch (NoSuchFileException e) {
            // already gone, with its directory: nothing to make durable
        } catch (IOException e) {
            throw new StoreIoException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> list(Path d) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
            for (Path p : s) {
                if (!p.getFileName().toString().startsWith(AtomicFiles.TMP_PREFIX)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new StoreIoException("cannot list " + d + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static void removeTemporaryFiles(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.getFileName().toString().startsWith(AtomicFiles.TMP_PREFIX) && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length && i < 200; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
