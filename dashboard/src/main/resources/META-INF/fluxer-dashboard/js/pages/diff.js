// A small line diff (Myers' O(ND) algorithm) for comparing two stack.yml texts.
// Pure functions, no DOM and no dependencies: usable from the browser and from node.

/** The lines of a text (\n, \r\n or \r), without a final empty line after a trailing newline. */
export function splitLines(text) {
  if (Array.isArray(text)) {
    return text.map(String);
  }
  if (text == null || text === '') {
    return [];
  }
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

// Beyond this many edits the diff stops looking for a shortest script and reports the
// changed middle as removed then added (still correct, only longer).
const MAX_EDITS = 2000;

/**
 * The line diff of two texts (or arrays of lines): a list of
 * `{type: 'same' | 'del' | 'add', text, oldLine, newLine}` in order, where `oldLine` / `newLine`
 * are 1-based line numbers (null on the side a line is not on). Removals come before additions
 * within a change.
 */
export function diffLines(before, after) {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) {
    start++;
  }
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out = [];
  for (let i = 0; i < start; i++) {
    out.push({ type: 'same', text: a[i], oldLine: i + 1, newLine: i + 1 });
  }
  for (const op of middle(a, start, endA, b, start, endB)) {
    out.push(op);
  }
  for (let i = endA, j = endB; i < a.length; i++, j++) {
    out.push({ type: 'same', text: a[i], oldLine: i + 1, newLine: j + 1 });
  }
  return out;
}

function middle(a, a0, a1, b, b0, b1) {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n === 0 || m === 0) {
    return replaceAll(a, a0, a1, b, b0, b1);
  }
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace = [];
  let found = -1;
  for (let d = 0; d <= max && d <= MAX_EDITS; d++) {
    // what step d reads: v[k] for k in [-d-1, d+1], as step d-1 left it
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = (k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) {
      break;
    }
  }
  if (found < 0) {
    return replaceAll(a, a0, a1, b, b0, b1);
  }
  const ops = [];
  let x = n;
  let y = m;
  for (let d = found; d >= 0; d--) {
    const snap = trace[d];
    const at = (k) => snap[k + d + 1];
    const k = x - y;
    const prevK = (k === -d || (k !== d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ type: 'same', text: a[a0 + x - 1], oldLine: a0 + x, newLine: b0 + y });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) {
        ops.push({ type: 'add', text: b[b0 + y - 1], oldLine: null, newLine: b0 + y });
      } else {
        ops.push({ type: 'del', text: a[a0 + x - 1], oldLine: a0 + x, newLine: null });
      }
    }
    x = prevX;
    y = prevY;
  }
  ops.reverse();
  return groupChanges(ops);
}

// Within each run of changes, removals first, then additions (easier to read).
function groupChanges(ops) {
  const out = [];
  let dels = [];
  let adds = [];
  const flush = () => {
    out.push(...dels, ...adds);
    dels = [];
    adds = [];
  };
  for (const op of ops) {
    if (op.type === 'same') {
      flush();
      out.push(op);
    } else if (op.type === 'del') {
      dels.push(op);
    } else {
      adds.push(op);
    }
  }
  flush();
  return out;
}

function replaceAll(a, a0, a1, b, b0, b1) {
  const out = [];
  for (let i = a0; i < a1; i++) {
    out.push({ type: 'del', text: a[i], oldLine: i + 1, newLine: null });
  }
  for (let j = b0; j < b1; j++) {
    out.push({ type: 'add', text: b[j], oldLine: null, newLine: j + 1 });
  }
  return out;
}

/** `{added, removed, same}` line counts of a diff. */
export function diffStats(diff) {
  const stats = { added: 0, removed: 0, same: 0 };
  for (const op of diff) {
    if (op.type === 'add') {
      stats.added++;
    } else if (op.type === 'del') {
      stats.removed++;
    } else {
      stats.same++;
    }
  }
  return stats;
}

/**
 * The diff cut into parts for display: `{type: 'lines', lines}` (changes with up to `context`
 * unchanged lines around them) and `{type: 'skip', lines}` (longer runs of unchanged lines).
 */
export function collapse(diff, context = 3) {
  const parts = [];
  const keep = new Array(diff.length).fill(false);
  diff.forEach((op, i) => {
    if (op.type !== 'same') {
      for (let j = Math.max(0, i - context); j <= Math.min(diff.length - 1, i + context); j++) {
        keep[j] = true;
      }
    }
  });
  let i = 0;
  while (i < diff.length) {
    const kept = keep[i];
    let j = i;
    while (j < diff.length && keep[j] === kept) {
      j++;
    }
    // a skipped run shorter than 2 lines is not worth hiding
    const type = kept || j - i < 2 ? 'lines' : 'skip';
    const lines = diff.slice(i, j);
    const last = parts[parts.length - 1];
    if (type === 'lines' && last && last.type === 'lines') {
      last.lines.push(...lines);
    } else {
      parts.push({ type, lines });
    }
    i = j;
  }
  return parts;
}
