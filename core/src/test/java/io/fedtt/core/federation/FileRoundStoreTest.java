package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.RoundStore;
import io.fedtt.core.federation.store.StoreCorruptedException;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRoundStoreTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();

    private FederationJobSpec spec() {
        return FederationJobSpec.builder(new JobId("test", "store"), Fx.smallAdapter()).silos("silo-0", "silo-1", "silo-2")
                .rounds(3).build();
    }

    private CoordinatorOptions options() {
        return CoordinatorOptions.defaults().withClock(clock).withDriver(Runnable::run);
    }

    @Test
    void roundTripsStateGlobalsAndUpdates() {
        FileRoundStore s = new FileRoundStore(dir);
        assertTrue(s.loadState().isEmpty());
        s.saveState("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"a\":1}", new String(s.loadState().orElseThrow(), StandardCharsets.UTF_8));
        byte[] g = {1, 2, 3};
        s.putGlobal(0, g, Digest.sha256Hex(g));
        assertArrayEquals(g, s.global(0));
        byte[] u = {4, 5};
        s.putUpdate(2, "silo.a", u, Digest.sha256Hex(u));
        List<RoundStore.StoredUpdate> ups = new FileRoundStore(dir).updates(2);
        assertEquals(1, ups.size());
        assertEquals("silo.a", ups.get(0).participant());
        assertArrayEquals(u, ups.get(0).bytes());
        s.pruneUpdatesBefore(3);
        assertTrue(s.updates(2).isEmpty());
    }

    @Test
    void leftoverTemporaryFilesAreRemovedAtOpen() throws IOException {
        Path rd = dir.resolve("updates").resolve("r000001");
        Files.createDirectories(rd);
        Path tmp = rd.resolve(".tmp-1234-silo-0.abc.safetensors");
        Files.write(tmp, new byte[] {1, 2, 3});
        FileRoundStore s = new FileRoundStore(dir);
        assertFalse(Files.exists(tmp));
        assertTrue(s.updates(1).isEmpty());
    }

    /** A damaged acknowledged update is reported with its file name, never used. */
    @Test
    void corruptedUpdateFileIsDetectedAndNamed() throws IOException {
        RoundCoordinator c = RoundCoordinator.open(spec(), new FileRoundStore(dir), options());
        AdapterState g = c.global();
        c.submit("silo-1", 1, Fx.updateBytes(g, g.names(), "silo-1", 1, DType.F32));
        c.close();
        Path file = only(dir.resolve("updates").resolve("r000001"));
        byte[] b = Files.readAllBytes(file);
        b[b.length - 3] ^= 0x40;
        Files.write(file, b);
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                () -> RoundCoordinator.open(spec(), new FileRoundStore(dir), options()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void truncatedUpdateFileIsDetected() throws IOException {
        RoundCoordinator c = RoundCoordinator.open(spec(), new FileRoundStore(dir), options());
        AdapterState g = c.global();
        c.submit("silo-0", 1, Fx.updateBytes(g, g.names(), "silo-0", 1, DType.F32));
        Path file = only(dir.resolve("updates").resolve("r000001"));
        byte[] b = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(b, b.length / 2));
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                () -> RoundCoordinator.open(spec(), new FileRoundStore(dir), options()));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }

    @Test
    void corruptedStateFileIsDetectedAndNamed() throws IOException {
        RoundCoordinator.open(spec(), new FileRoundStore(dir), options()).close();
        Path state = dir.resolve("state.json");
        String text = Files.readString(state);
        Files.writeString(state, text.replace("\"round\":1", "\"round\":2"));
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                () -> RoundCoordinator.open(spec(), new FileRoundStore(dir), options()));
        assertTrue(e.getMessage().contains(state.toString()), e.getMessage());
    }

    @Test
    void missingOrDamagedGlobalAdapterIsDetectedAndNamed() throws IOException {
        RoundCoordinator.open(spec(), new FileRoundStore(dir), options()).close();
        Path global = only(dir.resolve("globals"));
        byte[] b = Files.readAllBytes(global);
        b[20] ^= 1;
        Files.write(global, b);
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                () -> RoundCoordinator.open(spec(), new FileRoundStore(dir), options()));
        assertTrue(e.getMessage().contains(global.toString()), e.getMessage());
        Files.delete(global);
        e = assertThrows(StoreCorruptedException.class, () -> RoundCoordinator.open(spec(), new FileRoundStore(dir), options()));
        assertTrue(e.getMessage().contains("no file for global adapter version 0"), e.getMessage());
    }

    @Test
    void historyIsStoredOncePerRoundAndADamagedEntryIsNamed() throws IOException {
        RoundCoordinator c = RoundCoordinator.open(spec(), new FileRoundStore(dir), options());
        for (String p : List.of("silo-0", "silo-1", "silo-2")) {
            c.submit(p, 1, Fx.updateBytes(c.global(), c.global().names(), p, 1, DType.F32));
        }
        c.close();
        assertTrue(Files.readString(dir.resolve("state.json")).contains("\"historySize\":1"));
        Path entry = only(dir.resolve("history"));
        assertEquals(1, RoundCoordinator.open(spec(), new FileRoundStore(dir), options()).history().size());
        Files.writeString(entry, Files.readString(entry).replace("COMPLETED", "FAILED"));
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                () -> RoundCoordinator.open(spec(), new FileRoundStore(dir), options()));
        assertTrue(e.getMessage().contains(entry.toString()), e.getMessage());
    }

    private static Path only(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            List<Path> files = s.filter(p -> !p.getFileName().toString().startsWith(".tmp")).toList();
            assertEquals(1, files.size(), files.toString());
            return files.get(0);
        }
    }
}
