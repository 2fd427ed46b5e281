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
