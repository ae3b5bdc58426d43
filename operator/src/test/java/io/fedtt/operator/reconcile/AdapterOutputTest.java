package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.operator.testing.Jobs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever may create a job must not make the operator write with its own rights outside that job's
 * namespace: a {@code file:} output elsewhere (another namespace's adapter, the round state, any
 * directory of the operator's file system) goes to the job's default directory instead.
 */
class AdapterOutputTest {

  @TempDir
  Path store;

  private FederatedFineTune job(String ns, String name, String output) {
    FederatedFineTune j = Jobs.job(ns, name, 2, "a");
    if (output != null) {
      var o = new io.fedtt.api.v1alpha1.OutputSpec();
      o.setUri(output);
      j.getSpec().setOutput(o);
    }
    return j;
  }

  private Path defaultDir(String ns, String name) {
    return store.resolve("outputs").resolve(ns).resolve(name);
  }

  @Test
  void aFileOutputInsideTheNamespacesAreaIsHonoured() {
    Path wanted = store.resolve("outputs/team-a/releases/v1");
    assertEquals(wanted, AdapterOutput.directory(job("team-a", "j", "file:" + wanted), defaultDir("team-a", "j")));
  }

  @Test
  void anotherNamespacesOutputIsNotOverwritten() throws Exception {
    Path victim = defaultDir("team-b", "their-job");
    Files.createDirectories(victim);
    Files.writeString(victim.resolve(AdapterOutput.FILE), "theirs");
    FederatedFineTune mine = job("team-a", "j", "file:" + victim);
    AdapterOutput.write(mine, new byte[] {1, 2, 3}, "00", defaultDir("team-a", "j"));
    assertEquals("theirs", Files.readString(victim.resolve(AdapterOutput.FILE)));
    assertEquals(3, Files.size(defaultDir("team-a", "j").resolve(AdapterOutput.FILE)));
  }

  @Test
  void pathsOutsideTheStoreOrEscapingItFallBack() {
    Path d = defaultDir("team-a", "j");
    for (String uri : new String[] {"file:/tmp/elsewhere", "file:" + store.resolve("jobs/team-a/j"),
        "file:" + store.resolve("outputs/team-a/../team-b/x"), "file:" + store.resolve("outputs/team-a"),
        "file:relative/dir", "pvc:claim/dir"}) {
      assertEquals(d.toAbsolutePath().normalize(), AdapterOutput.directory(job("team-a", "j", uri), d), uri);
    }
    assertFalse(Files.exists(Path.of("/tmp/elsewhere/" + AdapterOutput.FILE)));
  }
}
