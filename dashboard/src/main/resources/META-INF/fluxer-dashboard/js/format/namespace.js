// Namespace options as the settings form edits them (no DOM), tested under Node: the fields and
// their groups, durations in units people use, the options a form gives, and what a save changes.

/** Every option the relay takes (NamespaceOptions), in the form's order and groups. */
export const FIELDS = [
  { key: 'history_size', group: 'History', type: 'int', label: 'Publications kept', help: '0 keeps none' },
  { key: 'history_ttl', group: 'History', type: 'duration', label: 'Kept for' },
  { key: 'force_recovery', group: 'History', type: 'bool', label: 'Recover every subscription after a reconnect' },
  { key: 'allow_recovery', group: 'History', type: 'bool', label: 'Recover when the client asks' },
  { key: 'presence', group: 'Presence', type: 'bool', label: 'Track who is subscribed' },
  { key: 'join_leave', group: 'Presence', type: 'bool', label: 'Send join and leave messages' },
  { key: 'force_push_join_leave', group: 'Presence', type: 'bool', label: 'Push join and leave to every subscriber' },
  { key: 'allow_subscribe_for_client', group: 'Clients may', type: 'bool', label: 'Subscribe (any connected client)' },
  { key: 'allow_subscribe_for_anonymous', group: 'Clients may', type: 'bool', label: 'Subscribe without a user (anonymous)' },
  { key: 'allow_publish_for_client', group: 'Clients may', type: 'bool', label: 'Publish (any connected client)' },
  { key: 'allow_publish_for_subscriber', group: 'Clients may', type: 'bool', label: 'Publish (subscribers only)' },
  { key: 'allow_history_for_client', group: 'Clients may', type: 'bool', label: 'Read history (any connected client)' },
  { key: 'allow_history_for_subscriber', group: 'Clients may', type: 'bool', label: 'Read history (subscribers only)' },
  { key: 'allow_presence_for_client', group: 'Clients may', type: 'bool', label: 'Read presence (any connected client)' },
  { key: 'allow_presence_for_subscriber', group: 'Clients may', type: 'bool', label: 'Read presence (subscribers only)' },
  { key: 'allow_user_limited_channels', group: 'Clients may', type: 'bool', label: 'Use user-limited channels (name#user)' },
  { key: 'allow_tags_filter', group: 'Clients may', type: 'bool', label: 'Filter publications by tags' },
  { key: 'allow_subscribe_for_role', group: 'Access', type: 'role', label: 'Subscribe only with this ops role or above' },
  { key: 'channel_regex', group: 'Access', type: 'text', label: 'Channel names must match (RE2)' },
  { key: 'allowed_delta_types', group: 'Delta', type: 'deltas', label: 'Allow fossil deltas' },
  { key: 'delta_publish', group: 'Delta', type: 'bool', label: 'Publish as deltas by default' },
];

export const UNITS = [['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1]];
export const UNIT_LABELS = { d: 'days', h: 'hours', m: 'minutes', s: 'seconds', ms: 'milliseconds' };

/** A duration as the relay writes it ("300000ms", "60s", "5m", "1h", "7d"; bare: seconds) in ms; null when not one. */
export function parseDuration(text) {
  const m = /^(\d{1,15})(ms|s|m|h|d)?$/.exec(String(text ?? '').trim());
  if (!m) return null;
  const unit = UNITS.find(([u]) => u === (m[2] || 's'));
  return Number(m[1]) * unit[1];
}

/** Milliseconds in the largest unit that holds them whole: 300000 → {value: 5, unit: 'm'}. */
export function splitDuration(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return { value: 0, unit: 's' };
  const [unit, size] = UNITS.find(([, s]) => ms % s === 0);
  return { value: ms / size, unit };
}

/** "5 minutes", "1 hour", "250 milliseconds". */
export function durationWords(ms) {
  const { value, unit } = splitDuration(ms);
  const word = UNIT_LABELS[unit];
  return `${value} ${value === 1 ? word.slice(0, -1) : word}`;
}

/** The form's values ({key: value}) from a namespace's options, with defaults for what they leave out. */
export function formValues(options) {
  const o = options || {};
  const values = {};
  for (const f of FIELDS) {
    if (f.type === 'bool') values[f.key] = o[f.key] === true;
    else if (f.type === 'int') values[f.key] = Number.isInteger(o[f.key]) ? o[f.key] : 0;
    else if (f.type === 'duration') values[f.key] = splitDuration(parseDuration(o[f.key]) ?? 0);
    else if (f.type === 'deltas') values[f.key] = Array.isArray(o[f.key]) && o[f.key].includes('fossil');
    else values[f.key] = typeof o[f.key] === 'string' ? o[f.key] : '';
  }
  return values;
}

/**
 * The options to send for the form's values: only what differs from the defaults, durations as
 * the relay writes them. Throws an Error naming the field when a value cannot be sent.
 */
export function optionsFrom(values) {
  const out = {};
  for (const f of FIELDS) {
    const v = values[f.key];
    if (f.type === 'bool' && v) out[f.key] = true;
    else if (f.type === 'int') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${f.label}: a whole number, 0 or more`);
      if (n > 0) out[f.key] = n;
    } else if (f.type === 'duration') {
      const n = Number(v?.value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${f.label}: a whole number, 0 or more`);
      if (n > 0) out[f.key] = `${n}${v.unit}`;
    } else if (f.type === 'deltas' && v) out[f.key] = ['fossil'];
    else if ((f.type === 'text' || f.type === 'role') && typeof v === 'string' && v.trim()) out[f.key] = v.trim();
  }
  return out;
}

/** An option's value for people: durations in words, lists joined, flags as on/off, absent as "–". */
export function shown(key, value) {
  const field = FIELDS.find((f) => f.key === key);
  if (value === undefined || value === null || value === '' || value === false) return field?.type === 'bool' ? 'off' : '–';
  if (value === true) return 'on';
  if (field?.type === 'duration') return durationWords(parseDuration(value));
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/**
 * What saving `after` over `before` changes, in the form's order: [{key, label, before, after}]
 * with values as people read them; durations compared by length ("300000ms" equals "5m").
 */
export function changes(before, after) {
  const out = [];
  for (const f of FIELDS) {
    const a = before?.[f.key];
    const b = after?.[f.key];
    const same = f.type === 'duration'
      ? (parseDuration(a) ?? 0) === (parseDuration(b) ?? 0)
      : JSON.stringify(a ?? null) === JSON.stringify(b ?? null) || (f.type === 'bool' && !a && !b);
    if (!same) out.push({ key: f.key, label: f.label, before: shown(f.key, a), after: shown(f.key, b) });
  }
  return out;
}
