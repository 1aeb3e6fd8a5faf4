package dev.steadfast.quality;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * The layering of STYLE.md, checked on the compiled main code of every published module.
 *
 * <ul>
 *   <li>Modules depend one way, and only on the modules declared in {@link #ALLOWED_MODULE_DEPENDENCIES}.
 *   <li>A module's {@code internal} packages are used only by that module, unless the pair is declared in
 *       {@link #ALLOWED_INTERNAL_ACCESS}.
 *   <li>No cycles between packages. A package and its own {@code internal} and {@code spi} subpackages form one
 *       unit: the API creates the engine and the engine implements the API, and an SPI speaks the API's types
 *       (a broker adapter publishes {@code OutboxMessage}s, and the relay takes the adapter's publisher), which
 *       is a design, not a tangle.
 *   <li>Every package is {@code @NullMarked}; production code never reaches test libraries.
 * </ul>
 */
class ArchitectureTest {

  /** Which modules each module may depend on. Keys and values are module ids (see {@link #moduleOf}). */
  static final Map<String, Set<String>> ALLOWED_MODULE_DEPENDENCIES =
      Map.of(
          "core", Set.of(),
          "messaging.outbox", Set.of("core"),
          "jwt", Set.of("core"),
          "testkit", Set.of("core", "messaging.outbox", "jwt"));

  /** Broker adapters ({@code messaging.<broker>}) may use these, and never another adapter. */
  static final Set<String> ADAPTER_DEPENDENCIES = Set.of("core", "messaging.outbox");

  /** Declared exceptions to "internal stays inside its module", as "from->to" module pairs. None yet. */
  static final Set<String> ALLOWED_INTERNAL_ACCESS = Set.of();

  private static final JavaClasses MAIN_CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(location -> !location.contains("/quality/"))
          .importPackages("dev.steadfast");

  @Test
  void modulesDependOnlyOnDeclaredModules() {
    classes()
        .that()
        .resideInAPackage("dev.steadfast..")
        .should(onlyDependOnDeclaredModules())
        .check(MAIN_CLASSES);
  }

  @Test
  void internalPackagesAreUsedOnlyByTheirOwnModule() {
    classes()
        .that()
        .resideInAPackage("dev.steadfast..")
        .should(notReachIntoAnotherModulesInternals())
        .check(MAIN_CLASSES);
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().assignedFrom(packageWithItsInternals()).should().beFreeOfCycles().check(MAIN_CLASSES);
  }

  @Test
  void everyPackageIsNullMarked() {
    classes()
        .that()
        .resideInAPackage("dev.steadfast..")
        .should(resideInANullMarkedPackage())
        .check(MAIN_CLASSES);
  }

  @Test
  void productionCodeNeverReachesTestLibraries() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.steadfast.core..", "dev.steadfast.messaging..", "dev.steadfast.jwt..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.junit..", "org.assertj..", "net.jqwik..", "org.awaitility..", "dev.steadfast.testkit..")
        .check(MAIN_CLASSES);
  }

  /** The module a class belongs to: {@code core}, {@code jwt}, {@code testkit}, {@code messaging.outbox}, ... */
  static String moduleOf(JavaClass javaClass) {
    String rest = javaClass.getPackageName().substring("dev.steadfast.".length());
    String[] parts = rest.split("\\.");
    if (parts[0].equals("messaging") && parts.length > 1) {
      return "messaging." + parts[1];
    }
    return parts[0];
  }

  private static boolean isSteadfast(JavaClass javaClass) {
    return javaClass.getPackageName().startsWith("dev.steadfast.");
  }

  private static Set<String> allowedDependenciesOf(String module) {
    Set<String> declared = ALLOWED_MODULE_DEPENDENCIES.get(module);
    if (declared != null) {
      return declared;
    }
    if (module.startsWith("messaging.")) {
      return ADAPTER_DEPENDENCIES;
    }
    throw new AssertionError(
        "module " + module + " is not declared in ArchitectureTest.ALLOWED_MODULE_DEPENDENCIES");
  }

  private static ArchCondition<JavaClass> onlyDependOnDeclaredModules() {
    return new ArchCondition<>("only depend on the Steadfast modules their module declares") {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        String from = moduleOf(item);
        Set<String> allowed = allowedDependenciesOf(from);
        for (Dependency dependency : item.getDirectDependenciesFromSelf()) {
          JavaClass target = dependency.getTargetClass().getBaseComponentType();
          if (!isSteadfast(target)) {
            continue;
          }
          String to = moduleOf(target);
          if (!to.equals(from) && !allowed.contains(to)) {
            events.add(
                SimpleConditionEvent.violated(
                    dependency,
                    "module " + from + " may not depend on module " + to + ": " + dependency.getDescription()));
          }
        }
      }
    };
  }

  private static ArchCondition<JavaClass> notReachIntoAnotherModulesInternals() {
    return new ArchCondition<>("use internal packages of their own module only") {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        String from = moduleOf(item);
        for (Dependency dependency : item.getDirectDependenciesFromSelf()) {
          JavaClass target = dependency.getTargetClass().getBaseComponentType();
          if (!isSteadfast(target) || !target.getPackageName().contains(".internal")) {
            continue;
          }
          String to = moduleOf(target);
          if (!to.equals(from) && !ALLOWED_INTERNAL_ACCESS.contains(from + "->" + to)) {
            events.add(
                SimpleConditionEvent.violated(
                    dependency,
                    "module " + from + " uses internals of module " + to + ": " + dependency.getDescription()));
          }
        }
      }
    };
  }

  private static SliceAssignment packageWithItsInternals() {
    return new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
        if (!isSteadfast(javaClass)) {
          return SliceIdentifier.ignore();
        }
        String packageName = javaClass.getPackageName();
        for (String part : new String[] {".internal", ".spi"}) {
          int at = packageName.indexOf(part);
          if (at >= 0) {
            packageName = packageName.substring(0, at);
          }
        }
        return SliceIdentifier.of(packageName);
      }

      @Override
      public String getDescription() {
        return "Steadfast packages, each together with its internal and spi subpackages";
      }
    };
  }

  private static ArchCondition<JavaClass> resideInANullMarkedPackage() {
    return new ArchCondition<>("reside in a package annotated @NullMarked") {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        if (!item.getPackage().isAnnotatedWith(NullMarked.class)) {
          events.add(
              SimpleConditionEvent.violated(
                  item, "package " + item.getPackageName() + " has no @NullMarked package-info.java"));
        }
      }
    };
  }
}
