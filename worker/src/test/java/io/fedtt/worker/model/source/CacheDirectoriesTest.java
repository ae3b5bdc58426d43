package io.fedtt.worker.model.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheDirectoriesTest {

    @TempDir
    Path cache;

    @Test
    void failingFillerLeavesNothingBehind() throws IOException {
        Path target = cache.resolve("a").resolve("model");
        IOException e = assertThrows(IOException.class, () -> CacheDirectories.publish(target, dir -> {
            Files.writeString(dir.resolve("config.json"), "{}");
            throw new IOException("download failed half-way");
        }));
        assertEquals("download failed half-way", e.getMessage());
        try (Stream<Path> s = Files.list(cache.resolve("a"))) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void concurrentPublishersAgreeOnOneCompleteDirectory() throws Exception {
        Path target = cache.resolve("model");
        AtomicInteger fills = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    start.await();
                    return CacheDirectories.publish(target, dir -> {
                        fills.incrementAndGet();
                        Files.writeString(dir.resolve("who"), Integer.toString(id));
                    });
                }));
            }
            start.countDown();
            for (Future<Path> f : results) {
                assertEquals(target, f.get());
            }
        } finally {
            pool.shutdown();
        }
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(List.of(target), s.toList(), "no temporary directories left");
        }
        try (Stream<Path> s = Files.list(target)) {
            assertEquals(1, s.count(), "one publisher's complete content");
        }
        System.out.println("fills: " + fills.get() + " (losers' copies discarded)");
    }
}
