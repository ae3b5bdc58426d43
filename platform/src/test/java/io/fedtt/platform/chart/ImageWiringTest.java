package io.fedtt.platform.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.platform.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The images the Jib profiles build are the ones the chart and the operator name: same
 * repositories, tags equal to the chart's appVersion, the CUDA flavour as the examples use it, and
 * main classes that exist.
 */
class ImageWiringTest {

  private static JsonNode values;
  private static String appVersion;

  @BeforeAll
  static void read() throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    values = yaml.readTree(Repo.CHART.resolve("values.yaml").toFile());
    appVersion = yaml.readTree(Repo.CHART.resolve("Chart.yaml").toFile()).path("appVersion").asText();
  }

  @Test
  void operatorImageIsTheChartsDefault() throws Exception {
    JibImage jib = JibImage.of(Repo.ROOT.resolve("operator/pom.xml"), Map.of());
    assertEquals(values.path("image").path("repository").asText() + ":" + appVersion, jib.image(),
        "operator/pom.xml's image profile vs the chart's image.repository:appVersion");
    Class<?> main = Class.forName(jib.mainClass());
    assertTrue(main.getMethod("main", String[].class) != null);
  }

  @Test
  void workerImagesAreTheChartsAndTheOperatorsDefault() throws Exception {
    Path pom = Repo.ROOT.resolve("worker/pom.xml");
    String worker = values.path("workerImage").path("repository").asText() + ":" + appVersion;
    JibImage cpu = JibImage.of(pom, Map.of());
    assertEquals(worker, cpu.image(), "worker/pom.xml's image profile vs the chart's workerImage");
    assertEquals(OperatorSettings.DEFAULT_IMAGE, worker, "the operator's built-in default worker image");
    JibImage cuda = JibImage.of(pom, JibImage.profileProperties(pom, "cuda"));
    assertEquals(worker + "-cuda", cuda.image());
    assertTrue(Files.readString(Repo.ROOT.resolve("examples/k8s/cross-silo-gpu.yaml")).contains("image: " + cuda.image()),
        "the GPU example runs the CUDA image");
    Path mainSource = Repo.ROOT.resolve("worker/src/main/java/" + cpu.mainClass().replace('.', '/') + ".java");
    assertTrue(Files.readString(mainSource).contains("public static void main(String[] args)"), mainSource.toString());
  }

  /** The {@code image} profile's Jib target and main class, with Maven properties resolved. */
  record JibImage(String image, String mainClass) {

    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    static JibImage of(Path pom, Map<String, String> extraProfile) throws Exception {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
      Map<String, String> props = new HashMap<>(properties(child(doc.getDocumentElement(), "properties")));
      props.putAll(profileProperties(pom, "image"));
      props.putAll(extraProfile);
      Element jib = plugin(profile(doc, "image"), "jib-maven-plugin");
      String image = text(child(child(child(jib, "configuration"), "to"), "image"));
      String main = text(child(child(child(jib, "configuration"), "container"), "mainClass"));
      return new JibImage(resolve(image, props), resolve(main, props));
    }

    static Map<String, String> profileProperties(Path pom, String id) throws Exception {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
      return properties(child(profile(doc, id), "properties"));
    }

    private static Element profile(Document doc, String id) {
      NodeList profiles = doc.getElementsByTagName("profile");
      for (int i = 0; i < profiles.getLength(); i++) {
        Element p = (Element) profiles.item(i);
        if (id.equals(text(child(p, "id")))) {
          return p;
        }
      }
      throw new AssertionError("no profile " + id);
    }

    private static Element plugin(Element profile, String artifactId) {
      NodeList plugins = profile.getElementsByTagName("plugin");
      for (int i = 0; i < plugins.getLength(); i++) {
        Element p = (Element) plugins.item(i);
        if (artifactId.equals(text(child(p, "artifactId")))) {
          return p;
        }
      }
      throw new AssertionError("no plugin " + artifactId);
    }

    private static Map<String, String> properties(Element props) {
      Map<String, String> m = new HashMap<>();
      if (props != null) {
        for (Node n = props.getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n instanceof Element e) {
            m.put(e.getTagName(), e.getTextContent().trim());
          }
        }
      }
      return m;
    }

    private static Element child(Element parent, String name) {
      if (parent == null) {
        return null;
      }
      for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element e && e.getTagName().equals(name)) {
          return e;
        }
      }
      return null;
    }

    private static String text(Element e) {
      return e == null ? null : e.getTextContent().trim();
    }

    private static String resolve(String s, Map<String, String> props) {
      Matcher m = PROPERTY.matcher(s);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String v = props.get(m.group(1));
        if (v == null) {
          throw new AssertionError("unresolved ${" + m.group(1) + "} in " + s);
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(v));
      }
      m.appendTail(sb);
      return sb.toString();
    }
  }
}
