// Requests from an SDK script to the Java test that runs it: the script prints one JSON line on
// stdout ({"request": ...}) and the test answers with one JSON line on stdin, in order.

import readline from 'node:readline';

/**
 * The script's `ask(request, ms)`: prints the request, resolves to the test's answer, rejects when
 * the answer carries an `error` or does not come within `ms` (bounded by the script's `deadline`).
 */
export function asker(note, deadline) {
  const answers = [];
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const resolve = answers.shift();
    if (resolve) {
      resolve(JSON.parse(line));
    }
  });
  return async function ask(request, ms = 30000) {
    const answer = new Promise((resolve) => answers.push(resolve));
    note(`request ${JSON.stringify(request)}`);
    process.stdout.write(JSON.stringify(request) + '\n');
    const reply = await deadline(`the test's answer to ${request.request}`, answer, ms);
    note(`answer ${JSON.stringify(reply)}`);
    if (reply.error) {
      throw new Error(`the test could not ${request.request}: ${reply.error}`);
    }
    return reply;
  };
}
