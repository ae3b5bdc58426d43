package io.fedtt.api.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.validation.FileReferenceChecker;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.api.validation.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every manifest under examples/ passes the validator, data files and labels included. */
class ExampleManifestsTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TestFactory
    Stream<DynamicTest> everyExampleManifestIsValid() throws IOException {
        List<Path> manifests;
        try (Stream<Path> walk = Files.walk(REPO.resolve("examples"))) {
            manifests = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.toString().contains("/data/")).sorted().toList();
        }
        assertTrue(manifests.size() >= 5, "examples found: " + manifests);
        ManifestValidator validator = ManifestValidator.standard().withReferenceChecker(new FileReferenceChecker(REPO));
        return manifests.stream().map(m -> DynamicTest.dynamicTest(REPO.relativize(m).toString(), () -> {
            List<Problem> problems = validator.validate(m);
            assertEquals(List.of(), problems, m + " should validate");
        }));
    }
}
