package io.fluxer.control.docker;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Credentials for one registry host, as the engine takes them in {@code X-Registry-Auth} on
 * {@code POST /services/create} and {@code /services/{id}/update}: the swarm keeps them with the
 * service's spec (never shown by an inspect) and hands them to each node that pulls its image.
 * {@link #toString()} leaves the password out.
 *
 * @param host the registry host ({@link RegistryHost}), e.g. {@code registry.example.com:5000}
 */
public record RegistryAuth(String host, String username, String password) {
  /** The header the engine reads the credentials from. */
  public static final String HEADER = "X-Registry-Auth";

  /** The server address the docker CLI gives for a host ({@code https://index.docker.io/v1/} for Docker Hub). */
  public String serverAddress() {
    return RegistryHost.DOCKER_HUB.equals(host) ? "https://index.docker.io/v1/" : host;
  }

  /**
   * The value of {@value #HEADER}: the JSON {@code {"username", "password", "serveraddress"}} (the
   * fields of docker-java's {@code AuthConfig}) in URL-safe base64, which is how the engine decodes it.
   */
  public String header() {
    JsonObject json = new JsonObject().put("username", username).put("password", password)
        .put("serveraddress", serverAddress());
    return Base64.getUrlEncoder().encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "RegistryAuth[host=" + host + ", username=" + username + "]";
  }
}
