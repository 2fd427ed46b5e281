package io.fluxer.control.deploy;

import static io.fluxer.control.docker.SwarmTests.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.docker.SwarmClient;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Through the HTTP API, with the default policy: a stack file reaching the host or what exists
 * outside its stack answers 400 naming the key path and line, for ops and admin alike, and nothing
 * is stored or created on the swarm.
 */
class StackPolicyApiTest extends DeployTestBase {
  private static final Map<String, String> ADMIN = HttpTestClient.apiKey(TestRelay.ADMIN_KEY);

  private static final String HEAD = "services:\n  web:\n    image: fluxer-test/idle:1\n";

  @Test
  @DisplayName("deploy and adopt refuse host binds, the Docker socket, externals and the local bind trick; nothing changes")
  void refusedAndNothingChanges() throws Exception {
    List<String[]> cases = List.of(
        new String[] {HEAD + "    volumes: [\"/etc:/host-etc\"]\n", "services.web.volumes[0]", "4"},
        new String[] {HEAD + "    volumes:\n      - type: bind\n        source: /var/run/docker.sock\n"
            + "        target: /var/run/docker.sock\n", "services.web.volumes[0].source", "6"},
        new String[] {HEAD + "    networks: [c]\nnetworks:\n  c:\n    external: true\n    name: ingress\n",
            "networks.c.external", "7"},
        new String[] {HEAD + "    secrets: [k]\nsecrets:\n  k:\n    external: true\n    name: fluxer_jwt_key\n",
            "secrets.k.external", "7"},
        new String[] {HEAD + "    volumes: [\"h:/h\"]\nvolumes:\n  h:\n    driver_opts: {type: none, o: bind, device: /}\n",
            "volumes.h.driver_opts.device", "7"});
    for (String[] c : cases) {
      for (Map<String, String> who : List.of(OPS, ADMIN)) {
        Response r = http.put("/api/v1/stacks/" + stack, who, new JsonObject().put("stackFile", c[0]).encode());
        assertThat(r.status()).as("%s", r).isEqualTo(400);
        JsonObject problem = r.json().getJsonObject("error").getJsonArray("problems").getJsonObject(0);
        assertThat(problem.getString("key")).as("%s", r).isEqualTo(c[1]);
        assertThat(problem.getInteger("line")).as("%s", r).isEqualTo(Integer.parseInt(c[2]));
        assertThat(r.errorMessage()).contains(c[1]).contains("line " + c[2]);
      }
      Response adopt = http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/adopt", ADMIN,
          new JsonObject().put("stackFile", c[0]).encode());
      assertThat(adopt.status()).as("%s", adopt).isEqualTo(400);
    }
    assertThat(http.get("/api/v1/stacks/" + stack, VIEWER).status()).isEqualTo(404);
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
    assertThat(await(client.listServices(label))).isEmpty();
    assertThat(await(client.listNetworks(label))).isEmpty();
    assertThat(await(client.listConfigs(label))).isEmpty();
  }
}
