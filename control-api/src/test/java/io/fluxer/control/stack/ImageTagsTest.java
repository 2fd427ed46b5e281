package io.fluxer.control.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link StackPlan#withImageTags}: what a webhook's tag override does to a plan. */
class ImageTagsTest {
  private static final String FILE = "services:\n  web: {image: \"registry:5000/shop/web:1.0\"}\n"
      + "  db: {image: postgres:15}\n";

  @Test
  void replacesTheTagOfTheNamedServicesOnly() {
    StackPlan plan = StackFile.parse("shop", FILE, Map.of());
    StackPlan retagged = plan.withImageTags(Map.of("web", "1.1"));

    ServicePlan web = retagged.service("web").orElseThrow();
    assertThat(web.image()).isEqualTo("registry:5000/shop/web:1.1");
    assertThat(web.spec().getJsonObject("Labels").getString(StackPlan.IMAGE_LABEL)).isEqualTo(web.image());
    assertThat(web.specHash()).isNotEqualTo(plan.service("web").orElseThrow().specHash())
        .isEqualTo(SpecHash.of(web.spec()))
        .isEqualTo(web.spec().getJsonObject("Labels").getString(SpecHash.LABEL));
    assertThat(retagged.service("db").orElseThrow()).isEqualTo(plan.service("db").orElseThrow());
    // the same tags as the file: the same hash, so nothing would update
    assertThat(plan.withImageTags(Map.of("web", "1.0")).service("web").orElseThrow().specHash())
        .isEqualTo(plan.service("web").orElseThrow().specHash());
  }

  @Test
  void refusesUnknownServicesAndMalformedTags() {
    StackPlan plan = StackFile.parse("shop", FILE, Map.of());
    assertThatThrownBy(() -> plan.withImageTags(Map.of("api", "1"))).hasMessageContaining("no service 'api'")
        .hasMessageContaining("web, db");
    assertThatThrownBy(() -> plan.withImageTags(Map.of("web", "-x"))).hasMessageContaining("'-x' is not an image tag");
    assertThatThrownBy(() -> plan.withImageTags(Map.of("web", "a:b"))).hasMessageContaining("not an image tag");
  }

  @Test
  void aTagReplacesTagOrDigestButNotARegistryPort() {
    assertThat(StackPlan.withTag("app", "2")).isEqualTo("app:2");
    assertThat(StackPlan.withTag("app:1", "2")).isEqualTo("app:2");
    assertThat(StackPlan.withTag("registry:5000/app", "2")).isEqualTo("registry:5000/app:2");
    assertThat(StackPlan.withTag("registry:5000/app:1@sha256:abc", "2")).isEqualTo("registry:5000/app:2");
  }
}
