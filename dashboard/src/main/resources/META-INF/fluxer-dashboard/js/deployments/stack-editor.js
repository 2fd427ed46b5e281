// The stack editor (ops): a stack file typed or loaded, its variables and prune, checked as it
// changes by the deploy's dry run (POST .../plan: errors and warnings at their lines, then the plan,
// shown by pages/stack-check.js from pages/plan.js's data), and deployed after a confirmation.
// On the stacks list it deploys any stack (a name is typed); on a stack page it redeploys that one.
// What was typed is kept per stack while the dashboard stays open, so leaving the page loses nothing.
import { el } from '../ui.js';
import { errorText } from '../util.js';
import { parseEnv, planView, requestBody } from '../pages/plan.js';
import { createCheckPanel } from '../pages/stack-check.js';
import { STACK_NAME, problemLines, shortId } from '../format/deployments.js';
import { act } from './service-actions.js';
import { API, enc } from './view.js';

const CHECK_DELAY_MS = 400;
const MAX_FILE = 1024 * 1024;
const IDLE = 'Type or load a stack file: it is checked as you type.';

/** Drafts by stack name ('' for the stacks list's editor): {name, yml, env, prune}. */
const drafts = new Map();

/**
 * {element, text(), stackChanged(stack), destroy()}. Options: ctx, stack (the stack page's stack, or
 * null on the list), newest() (the stack's newest revision number, for Load), files (revisionFiles),
 * exists(name) (whether a stack of that name is deployed: the words say redeploy), onDeployed(res,
 * stack), onChange() (the file changed).
 */
export function stackEditor({ ctx, stack = null, newest = () => null, files = null, exists = () => false, onDeployed, onChange = () => {} }) {
  const draftKey = stack ?? '';
  const draft = drafts.get(draftKey) ?? { name: stack ?? '', yml: '', env: '', prune: false };
  const state = { alive: true, checkSeq: 0, last: { key: null, view: null }, timer: null };

  const name = el('input', {
    id: 'stack-name', name: 'stack-name', type: 'text', required: true, maxlength: '50', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'stack-name-hint', readonly: stack != null,
  });
  const file = el('input', { id: 'stack-file', type: 'file', accept: '.yml,.yaml,text/yaml,application/yaml,application/x-yaml,text/plain' });
  const yml = el('textarea', { id: 'stack-yml', name: 'stack-yml', rows: '16', spellcheck: 'false', autocomplete: 'off', class: 'code-input', wrap: 'off' });
  const env = el('textarea', { id: 'stack-env', name: 'stack-env', rows: '3', spellcheck: 'false', autocomplete: 'off', class: 'code-input', 'aria-describedby': 'stack-env-hint' });
  const prune = el('input', { id: 'stack-prune', type: 'checkbox' });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'deploy' }, stack ? 'Redeploy' : 'Deploy');
  const load = stack && files
    ? el('button', { type: 'button', class: 'btn', onclick: () => loadNewest() }, 'Load the newest revision') : null;
  const result = el('div', { class: 'editor-result' });
  const check = createCheckPanel(yml);
  submit.setAttribute('aria-describedby', check.statusId);
  name.value = draft.name;
  yml.value = draft.yml;
  env.value = draft.env;
  prune.checked = draft.prune;

  function save() {
    drafts.set(draftKey, { name: name.value, yml: yml.value, env: env.value, prune: prune.checked });
  }

  function scheduleCheck() {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => { runCheck(); }, CHECK_DELAY_MS);
  }

  function changed() {
    save();
    scheduleCheck();
  }

  for (const input of [name, env]) input.addEventListener('input', changed);
  yml.addEventListener('input', () => {
    changed();
    onChange();
  });
  prune.addEventListener('change', changed);
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    if (f.size > MAX_FILE) {
      ctx.toast(`${f.name} is larger than 1 MiB, the most a request may carry.`, 'error');
      return;
    }
    try {
      yml.value = await f.text();
      if (!stack && !name.value.trim()) {
        const guess = f.name.replace(/\.(ya?ml)$/i, '').replace(/[-_.]?stack$/i, '');
        if (STACK_NAME.test(guess) && guess !== 'docker-compose' && guess !== 'compose') name.value = guess;
      }
      changed();
      onChange();
    } catch (err) {
      ctx.toast(`Could not read ${f.name}: ${err.message}`, 'error');
    }
  });

  async function loadNewest() {
    const n = newest();
    if (n == null) {
      ctx.toast(`${stack} has no stored revision to load.`, 'error');
      return;
    }
    try {
      const text = await files.text(n);
      if (!state.alive) return;
      yml.value = text;
      changed();
      onChange();
      yml.focus();
    } catch (err) {
      if (state.alive) ctx.toast(`Could not load revision ${n}: ${errorText(err)}`, 'error');
    }
  }

  // the check: Deploy is off while the file has errors
  async function runCheck() {
    const target = name.value.trim();
    const text = yml.value;
    const { vars, bad } = parseEnv(env.value);
    const idle = (show, message) => {
      state.checkSeq++;
      show(message);
      submit.disabled = false;
      return null;
    };
    if (!text.trim()) return idle(check.idle, IDLE);
    if (!STACK_NAME.test(target)) return idle(check.idle, 'Enter the stack name: the file is checked and planned against that stack.');
    if (bad.length) return idle(check.failed, `Variables: line(s) ${bad.join(', ')} are not KEY=value.`);
    const body = requestBody(text, vars, prune.checked);
    const key = JSON.stringify([target, body]);
    if (state.last.key === key) return state.last.view;
    const seq = ++state.checkSeq;
    check.pending();
    try {
      const view = planView(await ctx.api.post(`${API}/stacks/${enc(target)}/plan`, body));
      if (!state.alive || seq !== state.checkSeq) return null;
      state.last = { key, view };
      check.show(view);
      submit.disabled = !view.deployable;
      return view;
    } catch (err) {
      if (state.alive && seq === state.checkSeq) {
        check.failed(`The file could not be checked: ${errorText(err)}`);
        submit.disabled = false;
      }
      return null;
    }
  }

  function showResult(kind, title, items = []) {
    result.replaceChildren(el('div', { class: `notice${kind === 'error' ? ' notice-error' : ''}`, role: kind === 'error' ? 'alert' : 'status' },
      el('p', {}, title), items.length ? el('ul', { class: 'mono' }, items.map((x) => el('li', {}, x))) : null));
  }

  async function deploy() {
    result.replaceChildren();
    const target = name.value.trim();
    if (!STACK_NAME.test(target)) {
      showResult('error', 'The stack name must be letters, digits, - and _, starting and ending with a letter or digit, at most 50 characters.');
      name.focus();
      return;
    }
    if (!yml.value.trim()) {
      showResult('error', 'The stack file is empty: paste a stack.yml or load one.');
      yml.focus();
      return;
    }
    const { vars, bad } = parseEnv(env.value);
    if (bad.length) {
      showResult('error', `Variables: line(s) ${bad.join(', ')} are not KEY=value.`);
      env.focus();
      return;
    }
    const body = requestBody(yml.value, vars, prune.checked);
    // never deploy a file the check found errors in (checked now if it changed since)
    const view = await runCheck();
    if (!state.alive) return;
    if (view && !view.deployable) {
      showResult('error', 'The stack file has errors (listed beside the editor): fix them, then deploy.');
      return;
    }
    const again = stack != null || exists(target);
    let refused = null;
    const res = await act(ctx, submit, `${again ? 'Redeploy' : 'Deploy'} stack ${target}${prune.checked ? ' (removing services no longer in the file)' : ''}?`,
      again ? 'Redeploy' : 'Deploy',
      () => ctx.api.put(`${API}/stacks/${enc(target)}`, body).catch((err) => {
        refused = err;
        throw err;
      }),
      (r) => `Deploying ${target}${r.revision != null ? ` revision ${r.revision}` : ''} (deployment ${shortId(r.deployment)}).`);
    if (!state.alive) return;
    if (!res) {
      if (refused) showResult('error', errorText(refused), problemLines(refused));
      return;
    }
    // the draft now belongs to the stack: its page shows it
    drafts.set(target, { name: target, yml: yml.value, env: env.value, prune: prune.checked });
    if (!stack) drafts.delete('');
    state.last = { key: null, view: null };
    onDeployed(res, target);
  }

  const element = el('form', { class: 'stack-editor', novalidate: true, onsubmit: (e) => { e.preventDefault(); deploy(); } },
    el('div', { class: 'field-row' },
      el('div', { class: 'field' },
        el('label', { for: 'stack-name' }, 'Stack name'), name,
        el('small', { id: 'stack-name-hint', class: 'muted' }, stack
          ? 'Deploying here makes a new revision of this stack.'
          : 'Letters, digits, - and _, at most 50 characters. Deploying to an existing name redeploys it.')),
      el('div', { class: 'field' }, el('label', { for: 'stack-file' }, 'Load a stack.yml file'), file),
      load ? el('div', { class: 'field field-button' }, load) : null),
    el('div', { class: 'editor-grid' },
      el('div', { class: 'field' }, el('label', { for: 'stack-yml' }, 'stack.yml'), yml),
      check.element),
    el('div', { class: 'field' },
      el('label', { for: 'stack-env' }, 'Variables for ${VAR} (optional)'), env,
      el('small', { id: 'stack-env-hint', class: 'muted' }, 'One KEY=value per line; stored encrypted with the revision, never shown again.')),
    el('div', { class: 'check' }, prune, el('label', { for: 'stack-prune' }, 'Remove services that are no longer in the file (prune)')),
    el('div', { class: 'actions actions-start' }, submit),
    result);

  check.idle(IDLE);
  if (yml.value.trim()) scheduleCheck();

  return {
    element,
    text: () => yml.value,
    /** A deployment of `target` finished: the plan of the file may have changed. */
    stackChanged(target) {
      if (name.value.trim() === target && yml.value.trim()) {
        state.last = { key: null, view: null };
        scheduleCheck();
      }
    },
    destroy() {
      state.alive = false;
      state.checkSeq++;
      clearTimeout(state.timer);
    },
  };
}
