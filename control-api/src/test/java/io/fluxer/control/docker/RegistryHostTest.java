package io.fluxer.control.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which registry an image reference pulls from, as Docker reads it, and which hosts can be named. */
class RegistryHostTest {

  @Test
  void theFirstPathComponentIsTheRegistryOnlyWithADotAPortOrLocalhost() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("redis:7", "docker.io");
    cases.put("redis", "docker.io");
    cases.put("library/redis:7", "docker.io");
    cases.put("fluxer-test/busybox:1", "docker.io");
    cases.put("busybox@sha256:" + "a".repeat(64), "docker.io");
    cases.put("registry.example.com/team/app:2.1", "registry.example.com");
    cases.put("registry.example.com:5000/app", "registry.example.com:5000");
    cases.put("127.0.0.1:41234/fluxer-it/private:1", "127.0.0.1:41234");
    cases.put("localhost/app", "localhost");
    cases.put("localhost:5000/app:1", "localhost:5000");
    cases.put("myhost:5000/app", "myhost:5000");
    cases.put("Registry.Example.COM/app", "registry.example.com");
    cases.put("MyRegistry/app", "myregistry"); // upper case: never a repository path, so a host
    cases.put("index.docker.io/library/redis", "docker.io");
    cases.put("docker.io/library/redis:7", "docker.io");
    cases.put("ghcr.io/org/app@sha256:" + "b".repeat(64), "ghcr.io");
    cases.forEach((image, host) -> assertThat(RegistryHost.ofImage(image)).as(image).isEqualTo(host));
    assertThat(RegistryHost.ofImage(null)).isNull();
    assertThat(RegistryHost.ofImage(" ")).isNull();
  }

  @Test
  void hostsAreCheckedAndLowerCased() {
    assertThat(RegistryHost.parse("registry.example.com")).isEqualTo("registry.example.com");
    assertThat(RegistryHost.parse("Registry.Example.com:5000")).isEqualTo("registry.example.com:5000");
    assertThat(RegistryHost.parse("127.0.0.1:5000")).isEqualTo("127.0.0.1:5000");
    assertThat(RegistryHost.parse("localhost")).isEqualTo("localhost");
    assertThat(RegistryHost.parse("myhost:5000")).isEqualTo("myhost:5000");
    assertThat(RegistryHost.parse("docker.io")).isEqualTo("docker.io");
    assertThat(RegistryHost.parse("index.docker.io")).isEqualTo("docker.io");

    assertThatThrownBy(() -> RegistryHost.parse("myregistry")).hasMessageContaining("Docker Hub path");
    assertThatThrownBy(() -> RegistryHost.parse("")).hasMessageContaining("required");
    assertThatThrownBy(() -> RegistryHost.parse(null)).hasMessageContaining("required");
    assertThatThrownBy(() -> RegistryHost.parse("reg.example.com:0")).hasMessageContaining("port");
    assertThatThrownBy(() -> RegistryHost.parse("reg.example.com:65536")).hasMessageContaining("port");
    assertThatThrownBy(() -> RegistryHost.parse("reg.example.com:")).hasMessageContaining("port");
    assertThatThrownBy(() -> RegistryHost.parse("reg.example.com:50a")).hasMessageContaining("port");
    assertThatThrownBy(() -> RegistryHost.parse("reg.example.com:5000:1")).hasMessageContaining("port");
    assertThatThrownBy(() -> RegistryHost.parse("reg_1.example.com")).hasMessageContaining("not a host name");
    assertThatThrownBy(() -> RegistryHost.parse("-reg.example.com")).hasMessageContaining("not a host name");
    assertThatThrownBy(() -> RegistryHost.parse("reg..example.com")).hasMessageContaining("not a host name");
    assertThatThrownBy(() -> RegistryHost.parse("reg.example.com/x")).hasMessageContaining("not a host name");
    assertThatThrownBy(() -> RegistryHost.parse("[::1]:5000")).hasMessageContaining("IPv6");
    assertThatThrownBy(() -> RegistryHost.parse("a".repeat(64) + ".example.com")).hasMessageContaining("not a host name");
    assertThatThrownBy(() -> RegistryHost.parse("a.".repeat(200) + "com")).hasMessageContaining("at most");
  }

  @Test
  void theHeaderIsTheAuthConfigInUrlSafeBase64AndToStringHidesThePassword() {
    String password = "p+/?>>??~~ü";
    RegistryAuth auth = new RegistryAuth("127.0.0.1:5000", "ci", password);
    String header = auth.header();
    assertThat(header).doesNotContain("+").doesNotContain("/");
    JsonObject decoded = new JsonObject(new String(Base64.getUrlDecoder().decode(header), StandardCharsets.UTF_8));
    assertThat(decoded).isEqualTo(new JsonObject().put("username", "ci").put("password", password)
        .put("serveraddress", "127.0.0.1:5000"));
    assertThat(new RegistryAuth("docker.io", "u", "p").serverAddress()).isEqualTo("https://index.docker.io/v1/");
    assertThat(auth.toString()).contains("127.0.0.1:5000").contains("ci").doesNotContain(password);
  }
}
