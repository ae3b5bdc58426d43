package io.fedtt.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {

    @Test
    void defaultIsOneThreadPerProcess() {
        assertEquals(new EngineSettings(1, 1), EngineSettings.defaults());
    }

    @Test
    void environmentVariableChoosesThreadsWhenNoSystemPropertyIsSet() {
        String saved = System.getProperty(EngineSettings.INTRA_OP);
        try {
            System.clearProperty(EngineSettings.INTRA_OP);
            assertEquals(2, EngineSettings.fromEnvironment(Map.of(EngineSettings.ENV_THREADS, "2")).intraOpThreads());
            assertEquals(1, EngineSettings.fromEnvironment(Map.of()).intraOpThreads());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EngineSettings.fromEnvironment(Map.of(EngineSettings.ENV_THREADS, "two")));
            assertTrue(e.getMessage().contains(EngineSettings.ENV_THREADS), e.getMessage());
            System.setProperty(EngineSettings.INTRA_OP, "3");
            assertEquals(3, EngineSettings.fromEnvironment(Map.of(EngineSettings.ENV_THREADS, "2")).intraOpThreads());
        } finally {
            if (saved == null) {
                System.clearProperty(EngineSettings.INTRA_OP);
            } else {
                System.setProperty(EngineSettings.INTRA_OP, saved);
            }
        }
    }

    @Test
    void zeroThreadsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new EngineSettings(0, 1));
    }
}
