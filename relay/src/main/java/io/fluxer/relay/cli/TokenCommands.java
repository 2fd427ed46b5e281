package io.fluxer.relay.cli;

import io.fluxer.relay.auth.ConnectToken;
import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.auth.OpsToken;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.common.config.ConfigValues;
import io.fluxer.relay.config.OpsTokenOptions;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.config.TokenOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code fluxer gentoken} and {@code fluxer checktoken}: make a token with the configured HMAC key,
 * and verify any token exactly as a relay with this configuration would (static keys and trusted
 * issuers, whose keys are fetched), printing the claims or the reason it fails.
 */
final class TokenCommands {
  static final Duration DEFAULT_TTL = Duration.ofHours(1);

  private TokenCommands() {}

  static int gentoken(List<String> list, Cli.Io io) {
    Cli.Args args = new Cli.Args("gentoken", list);
    String user = args.option("--user");
    String role = args.option("--role");
    String ttlText = args.option("--ttl");
    String channels = args.option("--channels");
    boolean ops = args.flag("--ops");
    RelayConfig config;
    try {
      config = CliConfig.fromOptions(args, io);
    } catch (CliConfig.Problem e) {
      return io.fail("gentoken", 1, e.getMessage());
    }
    args.positional(0, 0, "takes options only: --user U [--role R] [--ttl 1h] [--channels a,b] [--ops]");
    if (user == null || user.isBlank()) {
      throw new Cli.UsageException("--user is required (the token's sub)");
    }
    Duration ttl = ttlText == null ? DEFAULT_TTL : ConfigValues.parseDuration(ttlText);
    if (ttl == null || ttl.isZero()) {
      throw new Cli.UsageException("--ttl must be a duration such as 30m, 1h or 7d; got '" + ttlText + "'");
    }
    if (role != null && Role.of(role) == null) {
      throw new Cli.UsageException("--role must be one of viewer, ops, admin; got '" + role + "'");
    }
    if (ops && role == null) {
      throw new Cli.UsageException("--ops needs --role (viewer, ops or admin): an ops token without one grants nothing");
    }
    TokenOptions token = config.token();
    if (token.hmacSecret() == null) {
      return io.fail("gentoken", 1, "this configuration has no token.hmac_secret_key to sign with (tokens of "
          + "RSA/ECDSA keys or trusted issuers are made by whoever holds their private keys)");
    }
    OpsTokenOptions opsOptions = token.ops();
    if (ops && ttl.compareTo(opsOptions.maxLifetime()) > 0) {
      return io.fail("gentoken", 1, "--ttl " + ttlText + " is longer than token.ops.max_lifetime ("
          + opsOptions.maxLifetime().toSeconds() + " s), which relays refuse");
    }
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject().put("sub", user).put("iat", now).put("exp", now + ttl.toSeconds());
    if (ops) {
      claims.put("aud", opsOptions.audience());
      if (opsOptions.issuer() != null) {
        claims.put("iss", opsOptions.issuer());
      }
    } else {
      if (token.audience() != null) {
        claims.put("aud", token.audience());
      }
      if (token.issuer() != null) {
        claims.put("iss", token.issuer());
      }
    }
    if (role != null) {
      claims.put(ops ? opsOptions.rolesClaim() : token.rolesClaim(), new JsonArray().add(role));
    }
    if (channels != null) {
      List<String> names = Arrays.stream(channels.split(",")).map(String::strip).filter(c -> !c.isEmpty()).toList();
      if (names.isEmpty()) {
        throw new Cli.UsageException("--channels names no channel");
      }
      claims.put("channels", new JsonArray(List.copyOf(names)));
    }
    io.out().println(JwtSigner.hmac("HS256", token.hmacSecret().getBytes(StandardCharsets.UTF_8)).sign(claims));
    return 0;
  }

  static int checktoken(List<String> list, Cli.Io io) {
    Cli.Args args = new Cli.Args("checktoken", list);
    boolean ops = args.flag("--ops");
    RelayConfig config;
    try {
      config = CliConfig.fromOptions(args, io);
    } catch (CliConfig.Problem e) {
      return io.fail("checktoken", 1, e.getMessage());
    }
    String jwt = args.positional(1, 1, "needs one TOKEN").get(0).strip();
    Vertx vertx = Vertx.vertx();
    TokenVerifier verifier = TokenVerifier.create(vertx, config.token());
    try {
      Future<String> verdict = verifier.start().compose(v -> ops
          ? verifier.opsToken(jwt).map(TokenCommands::describe)
          : verifier.connectToken(jwt).map(TokenCommands::describe));
      String description = verdict.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      io.out().println(description);
      io.out().println(payload(jwt).encodePrettily());
      return 0;
    } catch (ExecutionException e) {
      return io.fail("checktoken", 1, "invalid " + (ops ? "ops" : "connection") + " token: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      return io.fail("checktoken", 1, "no verdict within 30 s (a trusted issuer's keys did not arrive)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return io.fail("checktoken", 1, "interrupted");
    } finally {
      verifier.close();
      vertx.close();
    }
  }

  private static String describe(ConnectToken t) {
    return "valid connection token: user '" + t.user() + "', " + expiry(t.expiresAt())
        + (t.roles().isEmpty() ? "" : ", roles " + t.roles())
        + (t.channels().isEmpty() ? "" : ", channels " + t.channels());
  }

  private static String describe(OpsToken t) {
    return "valid ops token: user '" + t.user() + "', " + expiry(t.expiresAt())
        + ", role " + (t.role() == null ? "none (grants nothing)" : t.role().id());
  }

  private static String expiry(Long expiresAt) {
    if (expiresAt == null) {
      return "never expires";
    }
    long left = expiresAt - Instant.now().getEpochSecond();
    return "expires " + Instant.ofEpochSecond(expiresAt) + " (in " + Duration.ofSeconds(left).toString()
        .substring(2).toLowerCase(java.util.Locale.ROOT) + ")";
  }

  /** The claims of a token that passed verification, for the reader. */
  private static JsonObject payload(String jwt) {
    String[] parts = jwt.split("\\.", -1);
    return new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }
}
