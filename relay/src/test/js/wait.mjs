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
