package dev.steadfast.quality;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The reactor as its POM files declare it: every module, its packaging and whether it is published.
 *
 * <p>Read straight from the XML (no Maven model), so the checks see what a reviewer sees.
 */
final class ReactorModel {

  /** One module of the reactor. */
  record Module(Path dir, Document pom) {

    String artifactId() {
      return text(pom.getDocumentElement(), "artifactId");
    }

    String packaging() {
      String packaging = text(pom.getDocumentElement(), "packaging");
      return packaging.isEmpty() ? "jar" : packaging;
    }

    String property(String name) {
      Element properties = child(pom.getDocumentElement(), "properties");
      return properties == null ? "" : text(properties, name);
    }

    boolean published() {
      return !"true".equals(property("maven.deploy.skip"));
    }

    /** A published library jar (not a parent POM, not the BOM). */
    boolean publishedJar() {
      return published() && "jar".equals(packaging());
    }

    List<String> modules() {
      Element modules = child(pom.getDocumentElement(), "modules");
      List<String> names = new ArrayList<>();
      if (modules != null) {
        for (Element module : children(modules, "module")) {
          names.add(module.getTextContent().trim());
        }
      }
      return names;
    }
  }

  private final Path root;
  private final Map<String, Module> modulesByArtifactId = new LinkedHashMap<>();

  private ReactorModel(Path root) {
    this.root = root;
  }

  static ReactorModel load() {
    String rootProperty =
        Objects.requireNonNull(
            System.getProperty("steadfast.root"), "system property steadfast.root is not set");
    ReactorModel model = new ReactorModel(Path.of(rootProperty).toAbsolutePath().normalize());
    model.collect(model.root);
    return model;
  }

  Path root() {
    return root;
  }

  Module rootModule() {
    return modulesByArtifactId.values().iterator().next();
  }

  List<Module> modules() {
    return List.copyOf(modulesByArtifactId.values());
  }

  Module module(String artifactId) {
    Module module = modulesByArtifactId.get(artifactId);
    if (module == null) {
      throw new IllegalArgumentException("no module with artifactId " + artifactId);
    }
    return module;
  }

  private void collect(Path dir) {
    Module module = new Module(dir, parse(dir.resolve("pom.xml")));
    modulesByArtifactId.put(module.artifactId(), module);
    for (String child : module.modules()) {
      collect(dir.resolve(child).normalize());
    }
  }

  static Document parse(Path pom) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      try (var in = Files.newInputStream(pom)) {
        return factory.newDocumentBuilder().parse(in);
      }
    } catch (IOException | javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
      throw new IllegalStateException("cannot read " + pom, e);
    }
  }

  static String text(Element parent, String name) {
    Element child = child(parent, name);
    return child == null ? "" : child.getTextContent().trim();
  }

  static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element element && element.getTagName().equals(name)) {
        found.add(element);
      }
    }
    return found;
  }
}
