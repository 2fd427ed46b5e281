package io.fluxer.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The common module stands alone: no cycle between its packages, and nothing of the relay or the control plane. */
class StructureTest {
  private static final JavaClasses COMMON = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.fluxer.common");

  @Test
  void noImportCycleBetweenPackages() {
    slices().matching("io.fluxer.common.(**)").should().beFreeOfCycles().check(COMMON);
  }

  @Test
  void dependsOnNeitherTheRelayNorTheControlPlane() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("io.fluxer.relay..", "io.fluxer.control..")
        .check(COMMON);
  }
}
