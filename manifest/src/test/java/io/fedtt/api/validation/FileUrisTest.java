package io.fedtt.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FileUrisTest {
  final Path base = Path.of("/work/job");

  @Test
  void relativeAbsoluteAndTripleSlash() {
    assertEquals(Optional.of(Path.of("/work/job/data/a.jsonl")), FileUris.resolve("file:data/a.jsonl", base));
    assertEquals(Optional.of(Path.of("/work/data/a.jsonl")), FileUris.resolve("file:../data/./a.jsonl", base));
    assertEquals(Optional.of(Path.of("/srv/a.jsonl")), FileUris.resolve("file:/srv/a.jsonl", base));
    assertEquals(Optional.of(Path.of("/srv/a.jsonl")), FileUris.resolve("file:///srv/a.jsonl", base));
  }

  @Test
  void otherSchemesAndHostsAreNotLocalFiles() {
    assertEquals(Optional.empty(), FileUris.resolve("pvc:claim/a.jsonl", base));
    assertEquals(Optional.empty(), FileUris.resolve("builtin:all-minilm-l6-v2", base));
    assertEquals(Optional.empty(), FileUris.resolve("file://host/a.jsonl", base));
    assertEquals(Optional.empty(), FileUris.resolve("file:", base));
    assertEquals(Optional.empty(), FileUris.resolve(null, base));
  }
}
