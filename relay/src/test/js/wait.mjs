// Waiting helpers shared by the SDK scripts: every wait has a deadline, and conditions are checked
// again whenever a script says something changed (an SDK event, a frame), never by polling.

/** An error's message (or stack), or any other value as JSON. */
export function describe(e, stack = false) {
  if (e instanceof Error) {
    return stack ? e.stack || e.message : e.message;
  }
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for the script's conditions: `until` resolves when a condition holds (checked at once and
 * on every `changed()`), `deadline` bounds a promise; both reject after `defaultMs` unless told.
 */
export function stepWaits(defaultMs) {
  const waiters = new Set();

  function changed() {
    for (const w of [...waiters]) {
      w.check();
    }
  }

  function until(label, condition, ms = defaultMs) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check() {
          let value;
          try {
            value = condition();
          } catch (e) {
            done();
            reject(e);
            return;
          }
          if (value) {
            done();
            resolve(value);
          }
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${ms} ms waiting for ${label}`));
      }, ms);
      function done() {
        clearTimeout(timer);
        waiters.delete(waiter);
      }
      waiters.add(waiter);
      waiter.check();
    });
  }

  function deadline(label, promise, ms = defaultMs) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${label}`)), ms);
    });
    return Promise.race([
      promise.catch((e) => {
        throw new Error(`${label} failed: ${describe(e)}`);
      }),
      timeout,
    ]).finally(() => clearTimeout(timer));
  }

  return { changed, until, deadline };
}

/**
 * One script run: `note` keeps a trace of frames and events (printed as they happen with
 * FLUXER_DEBUG=1, else only on failure), `fail` and `succeed` end the run once with exit 1 or 0
 * (`succeed` prints one JSON line on stdout), and a hard timeout (not unref'd) guarantees an end
 * whatever the SDK does. Unhandled errors fail the run.
 */
export function scriptRun(name, hardTimeoutMs) {
  const debug = process.env.FLUXER_DEBUG === '1';
  const trace = [];
  const started = Date.now();
  let finished = false;

  function elapsed() {
    return Date.now() - started;
  }

  function note(line) {
    const entry = `+${String(elapsed()).padStart(6)}ms ${line}`;
    trace.push(entry);
    if (trace.length > 5000) {
      trace.splice(0, 1000);
    }
    if (debug) {
      process.stderr.write(entry + '\n');
    }
  }

  function fail(message) {
    if (finished) {
      return;
    }
    finished = true;
    process.stderr.write(`${name} FAILED: ${message}\n`);
    if (!debug) {
      process.stderr.write('--- trace ---\n' + trace.join('\n') + '\n');
    }
    process.exit(1);
  }

  function succeed(summary) {
    if (finished) {
      return;
    }
    finished = true;
    process.stdout.write(JSON.stringify({ ok: true, ...summary }) + '\n');
    process.exit(0);
  }

  setTimeout(() => fail(`hard timeout: no result after ${hardTimeoutMs} ms`), hardTimeoutMs);
  process.on('unhandledRejection', (e) => fail(`unhandled rejection: ${describe(e, true)}`));
  process.on('uncaughtException', (e) => fail(`uncaught exception: ${describe(e, true)}`));
  if (debug) {
    // The SDK logs with console.debug, which Node writes to stdout: keep stdout for the summary.
    console.debug = (...args) => console.error('[sdk]', ...args);
  }
  /** The value of an environment variable, or `fallback`; without either the run fails. */
  function env(variable, fallback) {
    const value = process.env[variable];
    if (!value) {
      if (fallback !== undefined) {
        return fallback;
      }
      fail(`environment variable ${variable} is not set`);
    }
    return value;
  }

  return { note, fail, succeed, elapsed, debug, env };
}

/** Throws (failing the step that called it) unless `condition` holds. */
export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}
