package io.fedtt.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DataUriTest {

    private static final Path BASE = Path.of("/work/job");

    @Test
    void fileUrisAndPlainPaths() {
        assertEquals(Path.of("/work/job/examples/data/a.jsonl"), DataUri.resolve("file:examples/data/a.jsonl", BASE));
        assertEquals(Path.of("/work/data/a.jsonl"), DataUri.resolve("file:../data/./a.jsonl", BASE));
        assertEquals(Path.of("/abs/a.jsonl"), DataUri.resolve("file:/abs/a.jsonl", BASE));
        assertEquals(Path.of("/abs/a.jsonl"), DataUri.resolve("file:///abs/a.jsonl", BASE));
        assertEquals(Path.of("/work/job/a.csv"), DataUri.resolve("a.csv", BASE));
        assertEquals(Path.of("/abs/a.csv"), DataUri.resolve("/abs/a.csv", BASE));
        assertEquals(Path.of("a.csv"), DataUri.resolve("file:a.csv", null), "no base: relative to the working directory");
    }

    @Test
    void pvcUrisResolveUnderTheMountRoot() {
        Path mounts = Path.of("/mnt/pvc");
        assertEquals(Path.of("/mnt/pvc/claim-a/spam/site-a.jsonl.gz"), DataUri.resolve("pvc:claim-a/spam/site-a.jsonl.gz", BASE, mounts));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataUri.resolve("pvc:claim-a/x.jsonl", BASE))
                .getMessage().contains("only a worker pod mounts"));
        assertThrows(IllegalArgumentException.class, () -> DataUri.resolve("pvc:claim-only", BASE, mounts));
        assertThrows(IllegalArgumentException.class, () -> DataUri.resolve("pvc:claim/../../etc/passwd", BASE, mounts));
        assertThrows(IllegalArgumentException.class, () -> DataUri.resolve("pvc:claim/../other-claim/x", BASE, mounts));
    }

    @Test
    void otherLocationsAreRejectedWithAReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataUri.resolve("s3://bucket/a.jsonl", BASE))
                .getMessage().contains("unsupported data location s3://bucket/a.jsonl"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataUri.resolve("file://host/a.jsonl", BASE))
                .getMessage().contains("another host"));
        assertThrows(IllegalArgumentException.class, () -> DataUri.resolve("file:", BASE));
        assertThrows(IllegalArgumentException.class, () -> DataUri.resolve(" ", BASE));
    }
}
