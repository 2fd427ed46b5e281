package io.fluxer.relay.cli;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code fluxer hash-password}: the bcrypt hash of the password on the first line of stdin, for
 * {@code dashboard.admin_password_hash}. Read from stdin, never an argument, so it stays out of the
 * shell's history and the process list.
 */
final class HashPassword {
  static final int COST = 10;
  /** bcrypt uses the first 72 bytes only: a longer password would match its prefixes. */
  static final int MAX_BYTES = 72;
  private static final int MIN_CHARS = 8;

  private HashPassword() {}

  static int run(List<String> args, Cli.Io io) {
    new Cli.Args("hash-password", args).positional(0, 0, "takes no arguments: the password comes on stdin");
    String password;
    try {
      password = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8)).readLine();
    } catch (IOException e) {
      return io.fail("hash-password", 1, "cannot read stdin: " + e.getMessage());
    }
    if (password == null || password.isEmpty()) {
      return io.fail("hash-password", 1, "no password on stdin (e.g. printf '%s\\n' \"$PASSWORD\" | fluxer hash-password)");
    }
    if (password.length() < MIN_CHARS) {
      return io.fail("hash-password", 1, "the password is shorter than " + MIN_CHARS + " characters");
    }
    byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_BYTES) {
      return io.fail("hash-password", 1, "the password is longer than " + MAX_BYTES
          + " bytes (UTF-8), the most bcrypt reads");
    }
    io.out().println(new String(BCrypt.withDefaults().hash(COST, bytes), StandardCharsets.UTF_8));
    return 0;
  }
}
