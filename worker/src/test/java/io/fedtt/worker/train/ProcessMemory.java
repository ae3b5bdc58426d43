package io.fedtt.worker.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory as Linux reports it (/proc/self/status), native allocations included. */
final class ProcessMemory {

    private ProcessMemory() {
    }

    /** VmRSS in bytes; -1 where /proc is not there (not Linux). */
    static long residentBytes() {
        return field("VmRSS:");
    }

    /** VmHWM (the peak of VmRSS so far) in bytes; -1 where /proc is not there. */
    static long peakResidentBytes() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
