package io.fluxer.relay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The relay's packages form layers: no package imports another that imports it back, directly or
 * not; and {@code Main} is the composition root: no part reaches the node or the launcher to find
 * another part.
 */
class StructureTest {
  private static final JavaClasses RELAY = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.fluxer.relay");

  @Test
  void noImportCycleBetweenPackages() {
    slices().matching("io.fluxer.relay.(**)").should().beFreeOfCycles().check(RELAY);
  }

  @Test
  void onlyTheCompositionRootUsesTheNodeAndNothingUsesTheLauncher() {
    noClasses().that().resideOutsideOfPackages("io.fluxer.relay", "io.fluxer.relay.node")
        .should().dependOnClassesThat().resideInAPackage("io.fluxer.relay.node").check(RELAY);
    noClasses().that().resideOutsideOfPackage("io.fluxer.relay")
        .should().dependOnClassesThat().resideInAPackage("io.fluxer.relay").check(RELAY);
  }
}
