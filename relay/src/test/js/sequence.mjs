// Checks on what a subscriber received, shared by the SDK scripts: publications carry {n}, numbered
// from 1 in the order they were published.

/** Whether {@code list} is exactly from..to, each once, in order. */
export function exactRun(list, from, to) {
  if (list.length !== to - from + 1) {
    return false;
  }
  return list.every((n, i) => n === from + i);
}

/** The first way {@code list} differs from 1..count (a repeat, a gap, an end short), or 'none'. */
export function firstProblem(list, count) {
  const seen = new Set();
  for (let i = 0; i < list.length; i++) {
    if (seen.has(list[i])) {
      return `duplicate ${list[i]} at index ${i}`;
    }
    seen.add(list[i]);
    if (list[i] !== i + 1) {
      return `expected ${i + 1} at index ${i}, got ${list[i]}`;
    }
  }
  return list.length < count ? `missing ${list.length + 1}..${count}` : 'none';
}

/**
 * What is wrong with a client's deliveries, or null: {@code client.received} must be exactly
 * 1..count in order, and {@code client.offsets} (the stream offsets, in arrival order) consecutive.
 */
export function deliveryProblem(client, count) {
  if (!exactRun(client.received, 1, count)) {
    return `${client.label}: not every publication exactly once in order: ${firstProblem(client.received, count)}`;
  }
  for (let i = 1; i < client.offsets.length; i++) {
    if (client.offsets[i] !== client.offsets[i - 1] + 1) {
      return `${client.label}: offsets not consecutive at index ${i}`;
    }
  }
  return null;
}
