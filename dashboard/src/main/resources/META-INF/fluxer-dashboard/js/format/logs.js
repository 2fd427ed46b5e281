// Pure helpers of the logs page (no DOM), tested under Node: timestamps, attribution, JSON lines,
// the filter and its matches.

/**
 * A timestamp as a key that sorts as time does: the engine's RFC 3339 with nanoseconds drops trailing
 * zeros ("…41.39Z"), so the fraction is padded to 9 digits. Unparseable text sorts first.
 */
export function tsKey(ts) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(String(ts || ''));
  if (!m) return '';
  return `${m[1]}.${(m[2] || '').padEnd(9, '0')}Z`;
}

/** "2026-11-23T11:28:41.390029837Z" → "11:28:41.390" (the engine's clock, UTC). */
export function clock(ts) {
  const m = /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(String(ts || ''));
  return m ? m[1] : String(ts || '');
}

/** What identifies a line across the recent-lines answer and the live stream. */
export function lineKey(service, line) {
  return `${service}|${line.task || ''}|${line.stream || ''}|${line.ts || ''}|${line.text ?? ''}`;
}

/** Where a line comes from, readable: "web.2 on manager-1" (the task's slot and the node's hostname). */
export function source(service, line, stack) {
  const short = stack && service.startsWith(`${stack}_`) ? service.slice(stack.length + 1) : service;
  const where = line.slot != null ? `${short}.${line.slot}` : short;
  const node = line.node || (line.node_id ? String(line.node_id).slice(0, 12) : '');
  return node ? `${where} on ${node}` : where;
}

const LEVEL_KEYS = ['level', 'lvl', 'severity', 'loglevel'];
const MESSAGE_KEYS = ['msg', 'message', 'text'];
const TIME_KEYS = ['time', 'ts', 'timestamp', '@timestamp', 't'];
const MAX_JSON = 10000;

/**
 * A JSON object line as {level, message, fields: [[key, text]…]} (the time keys left out: the line
 * has the engine's), or null when the text is not a JSON object.
 */
export function jsonLine(text) {
  const t = String(text ?? '').trim();
  if (!t.startsWith('{') || !t.endsWith('}') || t.length > MAX_JSON) return null;
  let value;
  try {
    value = JSON.parse(t);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const pick = (keys) => {
    const key = keys.find((k) => typeof value[k] === 'string' || typeof value[k] === 'number');
    return key === undefined ? [null, null] : [key, String(value[key])];
  };
  const [levelKey, level] = pick(LEVEL_KEYS);
  const [messageKey, message] = pick(MESSAGE_KEYS);
  const fields = Object.entries(value)
    .filter(([k]) => k !== levelKey && k !== messageKey && !TIME_KEYS.includes(k))
    .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  return { level, message, fields };
}

/** The colour class of a level: error, warn, info or debug; null for any other. */
export function levelKind(level) {
  const l = String(level ?? '').toLowerCase();
  if (/^(fatal|panic|crit|critical|err|error|alert|emerg)/.test(l) || l === '50' || l === '60') return 'error';
  if (/^warn/.test(l) || l === '40') return 'warn';
  if (/^(info|notice)/.test(l) || l === '30') return 'info';
  if (/^(debug|trace)/.test(l) || l === '20' || l === '10') return 'debug';
  return null;
}

/** The filter typed: {regex} (case-insensitive when all lower case), {regex: null} when empty, {error} when invalid. */
export function compileFilter(source) {
  if (!source) return { regex: null };
  try {
    return { regex: new RegExp(source, source === source.toLowerCase() ? 'gi' : 'g') };
  } catch (e) {
    return { error: e.message };
  }
}

/** Whether {@code text} has a match of the (global) regex. */
export function matches(regex, text) {
  regex.lastIndex = 0;
  const found = regex.test(text);
  regex.lastIndex = 0;
  return found;
}

/** The [start, end) ranges of the matches in text, at most `max`; empty matches are skipped. */
export function matchRanges(text, regex, max = 50) {
  const ranges = [];
  if (!regex) return ranges;
  regex.lastIndex = 0;
  let m;
  while (ranges.length < max && (m = regex.exec(text)) !== null) {
    if (m[0].length === 0) {
      regex.lastIndex++;
      if (regex.lastIndex > text.length) break;
      continue;
    }
    ranges.push([m.index, m.index + m[0].length]);
  }
  regex.lastIndex = 0;
  return ranges;
}
