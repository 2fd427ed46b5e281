// The stack editor's check, as data: the request body of a dry run (POST /api/v1/stacks/{name}/plan)
// and its answer turned into what the editor shows. Pure: no DOM, no fetch, so it runs under Node.

/** The service actions, in the order the summary lists them, with their words. */
export const ACTIONS = [
  ['create', 'to create'],
  ['update', 'to update'],
  ['remove', 'to remove'],
  ['unchanged', 'unchanged'],
  ['keep', 'kept (not in the file)'],
];

/**
 * The editor's variables ("KEY=value" lines; blank lines and # comments skipped) as an object.
 * `bad` holds the 1-based numbers of the lines that are not KEY=value.
 */
export function parseEnv(text) {
  const vars = {};
  const bad = [];
  String(text ?? '').split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq < 0 || !line.slice(0, eq).trim()) {
      bad.push(i + 1);
      return;
    }
    vars[line.slice(0, eq).trim()] = line.slice(eq + 1);
  });
  return { vars, bad };
}

/** The body of a deploy or of its dry run: {stackFile, env?, prune?}. */
export function requestBody(stackFile, vars, prune) {
  const body = { stackFile };
  if (vars && Object.keys(vars).length) body.env = vars;
  if (prune) body.prune = true;
  return body;
}

function where(p) {
  if (!Number.isInteger(p?.line) || p.line <= 0) return '';
  return Number.isInteger(p.column) && p.column > 0 ? `line ${p.line}, column ${p.column}` : `line ${p.line}`;
}

function problemRow(p) {
  const line = Number.isInteger(p?.line) && p.line > 0 ? p.line : null;
  return {
    line,
    column: line && Number.isInteger(p.column) && p.column > 0 ? p.column : null,
    where: where(p),
    key: typeof p?.key === 'string' ? p.key : '',
    message: String(p?.message ?? ''),
  };
}

/** Rows with a line first, by line; those without keep their order, after. */
function byLine(rows) {
  return rows.map((r, i) => ({ r, i })).sort((a, b) => {
    const la = a.r.line ?? Infinity;
    const lb = b.r.line ?? Infinity;
    return la === lb ? a.i - b.i : la - lb;
  }).map((x) => x.r);
}

/**
 * A dry run's answer as the editor shows it:
 * {errors, warnings: [{line, column, where, key, message}] sorted by line,
 *  services: [{name, action, changes}], summary: {create, update, ...}, summaryText, deployable}.
 */
export function planView(plan) {
  const errors = byLine((Array.isArray(plan?.errors) ? plan.errors : []).map(problemRow));
  const warnings = byLine((Array.isArray(plan?.warnings) ? plan.warnings : []).map(problemRow));
  const services = (Array.isArray(plan?.services) ? plan.services : []).map((s) => ({
    name: String(s?.name ?? ''),
    action: String(s?.action ?? ''),
    changes: Array.isArray(s?.changes) ? s.changes.map(String) : [],
  }));
  const summary = {};
  for (const [action] of ACTIONS) summary[action] = 0;
  for (const s of services) {
    if (s.action in summary) summary[s.action] += 1;
  }
  return { errors, warnings, services, summary, summaryText: summaryText(summary, errors.length), deployable: errors.length === 0 };
}

/** "1 to create · 1 to update · 2 unchanged", the actions with no service left out. */
export function summaryText(summary, errorCount = 0) {
  if (errorCount > 0) return `${errorCount} error${errorCount === 1 ? '' : 's'}: nothing can be deployed`;
  const parts = ACTIONS.filter(([a]) => summary?.[a] > 0).map(([a, words]) => `${summary[a]} ${words}`);
  return parts.length ? parts.join(' · ') : 'no services';
}

/** The character offsets [start, end) of a 1-based line of `text` (clamped to the text). */
export function lineRange(text, line) {
  const s = String(text ?? '');
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = s.indexOf('\n', start);
    if (next < 0) return [s.length, s.length];
    start = next + 1;
  }
  const end = s.indexOf('\n', start);
  return [start, end < 0 ? s.length : end];
}
