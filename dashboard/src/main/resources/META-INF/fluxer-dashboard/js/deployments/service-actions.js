// The ops actions on a stack and its services, each after a confirmation: scale, restart and roll
// back a service; roll the stack back to a revision, rotate its webhook secret, remove it. Each
// resolves to the control plane's answer ({deployment, ...}) or null when not done.
import { errorText } from '../util.js';
import { shortId } from '../format/deployments.js';
import { API, enc } from './view.js';

export const MAX_REPLICAS = 10000;

/**
 * Asks, then runs `run` with the button busy; a toast says what happened. Null when not confirmed
 * or when it failed (the toast says why).
 */
export async function act(ctx, button, question, okLabel, run, describe) {
  if (!(await ctx.confirm(question, { okLabel }).catch(() => false))) return null;
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    const res = (await run()) || {};
    ctx.toast(describe(res));
    return res;
  } catch (err) {
    ctx.toast(errorText(err), 'error');
    return null;
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

/** The replicas typed for a scale, or an error sentence. */
export function replicasOf(raw) {
  const text = String(raw ?? '').trim();
  const n = Number(text);
  return text !== '' && Number.isInteger(n) && n >= 0 && n <= MAX_REPLICAS
    ? { replicas: n } : { error: `Replicas must be a whole number from 0 to ${MAX_REPLICAS}.` };
}

export function scaleService(ctx, button, service, replicas) {
  return act(ctx, button, `Scale ${service} to ${replicas} replica(s)?`, 'Scale',
    () => ctx.api.post(`${API}/services/${enc(service)}/scale`, { replicas }),
    (res) => `Scaling ${service} to ${replicas} (deployment ${shortId(res.deployment)}).`);
}

export function restartService(ctx, button, service) {
  return act(ctx, button, `Restart ${service}? Every task is replaced, following its update_config.`, 'Restart',
    () => ctx.api.post(`${API}/services/${enc(service)}/restart`),
    (res) => `Restarting ${service} (deployment ${shortId(res.deployment)}).`);
}

export function rollbackService(ctx, button, service) {
  return act(ctx, button, `Roll ${service} back to its previous spec?`, 'Roll back',
    () => ctx.api.post(`${API}/services/${enc(service)}/rollback`),
    (res) => `Rolling ${service} back (deployment ${shortId(res.deployment)}).`);
}

export function rollbackStack(ctx, button, stack, revision) {
  return act(ctx, button, `Roll stack ${stack} back to revision ${revision}? Services not in that revision are removed.`, 'Roll back',
    () => ctx.api.post(`${API}/stacks/${enc(stack)}/rollback?revision=${enc(revision)}`),
    (res) => `Rolling ${stack} back to revision ${revision} (deployment ${shortId(res.deployment)}).`);
}

export function rotateHook(ctx, button, stack) {
  return act(ctx, button, `Make a new webhook secret for stack ${stack}? The current secret stops working at once.`, 'Rotate secret',
    () => ctx.api.post(`${API}/stacks/${enc(stack)}/hook`),
    () => `New webhook secret for ${stack}: copy it now, it is shown only once.`);
}

export function removeStack(ctx, button, stack) {
  return act(ctx, button, `Remove stack ${stack}? Its services, secrets, configs and networks are removed; revisions and deployments stay on record.`, 'Remove',
    () => ctx.api.del(`${API}/stacks/${enc(stack)}`),
    (res) => `Removing stack ${stack} (deployment ${shortId(res.deployment)}).`);
}
