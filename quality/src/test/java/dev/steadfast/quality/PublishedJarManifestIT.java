package dev.steadfast.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.quality.ReactorModel.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The jars as a user receives them (after {@code package}): each names its module for the module path and
 * carries nothing that differs between two builds of the same commit.
 */
class PublishedJarManifestIT {

  private final ReactorModel reactor = ReactorModel.load();

  @Test
  void everyPublishedJarDeclaresItsAutomaticModuleNameAndNoBuildDetails() throws IOException {
    List<Module> published = reactor.modules().stream().filter(Module::publishedJar).toList();
    assertThat(published).isNotEmpty();
    for (Module module : published) {
      Path jar = mainJar(module);
      try (JarFile file = new JarFile(jar.toFile())) {
        Attributes attributes = file.getManifest().getMainAttributes();
        assertThat(attributes.getValue("Automatic-Module-Name"))
            .as("Automatic-Module-Name of %s", jar.getFileName())
            .isEqualTo(module.property("module.name"));
        assertThat(attributes.keySet().stream().map(Object::toString))
            .as("manifest entries of %s", jar.getFileName())
            .doesNotContain("Built-By", "Build-Jdk", "Build-Jdk-Spec", "Build-Time", "Bnd-LastModified");
      }
    }
  }

  private static Path mainJar(Module module) throws IOException {
    Path target = module.dir().resolve("target");
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(path -> path.getFileName().toString().startsWith(module.artifactId() + "-"))
          .filter(path -> path.toString().endsWith(".jar"))
          .filter(path -> !path.toString().matches(".*-(sources|javadoc|tests)\\.jar"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no jar of " + module.artifactId() + " in " + target));
    }
  }
}
