package dev.steadfast.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.quality.ReactorModel.Module;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The BOM lists exactly the published modules of the reactor, and every published module carries what Maven
 * Central requires. Resilience4j's hand-written BOM drifted and lost five modules; this is the guard.
 */
class BomListsPublishedModulesTest {

  private final ReactorModel reactor = ReactorModel.load();

  @Test
  void bomListsExactlyThePublishedJarModules() {
    Set<String> published =
        reactor.modules().stream()
            .filter(Module::publishedJar)
            .map(Module::artifactId)
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(published).contains("steadfast-core").doesNotContain("steadfast-examples");
    assertThat(bomEntries()).as("artifacts listed in bom/pom.xml").isEqualTo(published);
  }

  @Test
  void publishedBomManagesOnlySteadfastModules() {
    Path flattened = reactor.module("steadfast-bom").dir().resolve("target/.flattened-pom.xml");
    assertThat(flattened)
        .as("the flattened BOM; build the reactor (./mvnw verify), not this module alone")
        .exists();
    Element bom = ReactorModel.parse(flattened).getDocumentElement();
    assertThat(ReactorModel.child(bom, "parent")).as("<parent> in the published BOM").isNull();
    Element dependencies = ReactorModel.child(ReactorModel.child(bom, "dependencyManagement"), "dependencies");
    Set<String> managed =
        ReactorModel.children(dependencies, "dependency").stream()
            .map(d -> ReactorModel.text(d, "groupId") + ":" + ReactorModel.text(d, "artifactId"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(managed)
        .as("what importing the published BOM manages")
        .allMatch(coordinates -> coordinates.startsWith("dev.steadfast:"))
        .hasSize(bomEntries().size());
  }

  @Test
  void bomEntriesFollowTheReactorVersion() {
    for (Element dependency : bomDependencies()) {
      assertThat(ReactorModel.text(dependency, "groupId")).isEqualTo("dev.steadfast");
      assertThat(ReactorModel.text(dependency, "version"))
          .as("version of %s in the BOM", ReactorModel.text(dependency, "artifactId"))
          .isEqualTo("${project.version}");
    }
  }

  @Test
  void everyPublishedJarDeclaresNameDescriptionAndModuleName() {
    for (Module module : reactor.modules()) {
      if (!module.publishedJar()) {
        continue;
      }
      Element pom = module.pom().getDocumentElement();
      assertThat(ReactorModel.text(pom, "name")).as("name of %s", module.artifactId()).isNotBlank();
      assertThat(ReactorModel.text(pom, "description"))
          .as("description of %s", module.artifactId())
          .isNotBlank();
      String expectedModuleName =
          "dev.steadfast." + module.artifactId().substring("steadfast-".length()).replace('-', '.');
      assertThat(module.property("module.name"))
          .as("module.name (Automatic-Module-Name) of %s", module.artifactId())
          .isEqualTo(expectedModuleName);
    }
  }

  @Test
  void parentCarriesTheMetadataMavenCentralRequires() {
    Element root = reactor.rootModule().pom().getDocumentElement();
    for (String element : List.of("name", "description", "url", "licenses", "developers", "scm")) {
      assertThat(ReactorModel.text(root, element)).as("<%s> in the root pom.xml", element).isNotBlank();
    }
    assertThat(ReactorModel.text(root, "licenses")).contains("Apache License, Version 2.0");
    assertThat(reactor.rootModule().property("project.build.outputTimestamp"))
        .as("project.build.outputTimestamp (reproducible builds)")
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
  }

  private Set<String> bomEntries() {
    return bomDependencies().stream()
        .map(dependency -> ReactorModel.text(dependency, "artifactId"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private List<Element> bomDependencies() {
    Element bom = reactor.module("steadfast-bom").pom().getDocumentElement();
    Element management = ReactorModel.child(bom, "dependencyManagement");
    assertThat(management).as("<dependencyManagement> in bom/pom.xml").isNotNull();
    return ReactorModel.children(ReactorModel.child(management, "dependencies"), "dependency");
  }
}
