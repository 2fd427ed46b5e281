package io.fluxer.relay.cli;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;

/**
 * {@code fluxer genconfig [--output FILE]}: a commented starting configuration for one node with
 * secrets made for it (HMAC key, admin API key, cluster signing key, the dashboard admin's password,
 * which is printed once on stderr and stored as its bcrypt hash). It passes {@code checkconfig}.
 * With {@code --output} the file is created readable by its owner only and never overwritten.
 */
final class GenConfig {
  private static final SecureRandom RANDOM = new SecureRandom();

  private GenConfig() {}

  static int run(List<String> list, Cli.Io io) {
    Cli.Args args = new Cli.Args("genconfig", list);
    String output = args.option("--output");
    args.positional(0, 0, "takes only --output FILE");
    String password = secret(18);
    String text = render(secret(48), secret(32), secret(48),
        new String(BCrypt.withDefaults().hash(HashPassword.COST, password.getBytes(StandardCharsets.UTF_8)),
            StandardCharsets.UTF_8));
    if (output == null) {
      io.out().print(text);
    } else {
      try {
        Path path = Path.of(output);
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(path, text, StandardOpenOption.TRUNCATE_EXISTING);
      } catch (FileAlreadyExistsException e) {
        return io.fail("genconfig", 1, output + " exists; not overwritten");
      } catch (IOException | UnsupportedOperationException e) {
        return io.fail("genconfig", 1, "cannot write " + output + ": " + e.getMessage());
      }
      io.err().println("fluxer genconfig: wrote " + output + " (mode 600); check it with: fluxer checkconfig " + output);
    }
    io.err().println("fluxer genconfig: dashboard admin password (shown once, stored only as its hash): " + password);
    return 0;
  }

  /** {@code bytes} random bytes, base64url without padding. */
  static String secret(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String render(String hmacKey, String apiKey, String clusterKey, String adminHash) {
    return """
        # Fluxer relay configuration, made by `fluxer genconfig` on %s.
        # Every key and its default: docs/configuration.md. Check a change with `fluxer checkconfig FILE`;
        # FLUXER_* variables override keys (FLUXER_SERVER_PORT=8001). The secrets below were made for
        # this file: keep it private, or move each to a file and use its *_file key instead
        # (token.hmac_secret_key_file, api.keys[].key_file, cluster.signing_key_file).

        server:
          # 0.0.0.0 to accept connections from other hosts (put TLS in front: docs/deploy.md)
          host: 127.0.0.1
          port: 8000

        client:
          # Browser origins allowed to connect, e.g. [https://app.example.com]; clients without an
          # Origin header (servers, mobile SDKs) always pass.
          allowed_origins: []

        token:
          # Signs connection tokens (HS256) and the dashboard's sessions. Tokens from an OpenID provider:
          # token.issuers (docs/auth.md).
          hmac_secret_key: "%s"

        api:
          keys:
            # For the server API and /api/v1 (X-API-Key). Make narrower keys at run time (/api/v1/keys).
            - name: admin
              key: "%s"
              role: admin

        dashboard:
          admin_user: admin
          # bcrypt of the password genconfig printed; a new one: printf '%%s\\n' "$PW" | fluxer hash-password
          admin_password_hash: "%s"

        channel:
          namespaces:
            # An example: channels chat:<name> with history, recovery, presence and join/leave.
            - name: chat
              history_size: 100
              history_ttl: 5m
              force_recovery: true
              presence: true
              join_leave: true
              allow_subscribe_for_client: true
              allow_publish_for_client: true

        # More than one node: Redis engines and a cluster (docs/clustering.md); namespaces and API keys
        # changed at run time live in PostgreSQL.
        # engine:
        #   type: redis
        #   redis_url: redis://127.0.0.1:6379
        #   # or redis_mode: cluster + redis_cluster_urls, redis_mode: sentinel + redis_sentinel_urls
        #   # and redis_sentinel_master, or redis_mode: sharded + redis_shard_urls (docs/configuration.md)
        # cluster:
        #   enabled: true
        #   dns: tasks.fluxer_relay
        #   signing_key: "%s"
        # postgres:
        #   url: postgresql://fluxer@127.0.0.1:5432/fluxer
        """.formatted(LocalDate.now(), hmacKey, apiKey, adminHash, clusterKey);
  }
}
