// Pure formatting of audit records (no DOM): what the audit page shows, tested under Node.

/** What each recorded action means, for the page's action filter and its labels. */
export const ACTIONS = {
  'stack.deploy': 'Deploy stack',
  'stack.adopt': 'Adopt stack',
  'stack.remove': 'Remove stack',
  'stack.rollback': 'Roll back stack',
  'stack.hook': 'Webhook',
  'service.scale': 'Scale service',
  'service.restart': 'Restart service',
  'service.rollback': 'Roll back service',
  'registry.put': 'Set registry credentials',
  'registry.remove': 'Remove registry credentials',
  'key.create': 'Create API key',
  'key.revoke': 'Revoke API key',
  'namespace.put': 'Change namespace',
  'namespace.delete': 'Delete namespace',
  'user.disconnect': 'Disconnect user',
  'user.unsubscribe': 'Unsubscribe user',
};

/** A readable label for an action: its own, its prefix's (stack.hook.rotate → Webhook), or itself. */
export function actionLabel(action) {
  const a = String(action || '');
  if (ACTIONS[a]) return ACTIONS[a];
  const dot = a.lastIndexOf('.');
  return dot > 0 ? actionLabel(a.slice(0, dot)) + ` (${a.slice(dot + 1)})` : a;
}

/** The badge kind of a result: ok and accepted are good, refused a warning, failed an error. */
export function resultKind(result) {
  if (result === 'ok' || result === 'accepted') return 'up';
  if (result === 'refused') return 'draining';
  return 'down';
}

/**
 * The facts of a record's detail worth a line, in a fixed order: status, error, stack, revision,
 * deployment, channel, client, node. Other keys are left out; values are cut to 200 characters.
 */
export function detailFacts(detail) {
  if (!detail || typeof detail !== 'object') return [];
  const order = ['status', 'error', 'stack', 'revision', 'deployment', 'channel', 'client', 'node'];
  const facts = [];
  for (const key of order) {
    const value = detail[key];
    if (value === undefined || value === null || value === '') continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    facts.push([key, text.length > 200 ? `${text.slice(0, 200)}…` : text]);
  }
  return facts;
}

/** The query string of the list for a filter {stack, actor, action, before, limit}; empty values left out. */
export function auditQuery(filter) {
  const params = new URLSearchParams();
  for (const key of ['stack', 'actor', 'action', 'before', 'limit']) {
    const value = filter[key];
    if (value !== undefined && value !== null && String(value).trim() !== '') params.set(key, String(value).trim());
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
