// Settings: namespaces (read by everyone, changed by admins), API keys (listed, created and
// revoked by admins only) and where webhook secrets are managed.
import { notice } from '../ui.js';
import { FIELDS, UNITS, UNIT_LABELS, changes, formValues, optionsFrom } from '../format/namespace.js';

const RESERVED = new Set(['sys', 'deploy', 'logs', 'swarm']);
const NAME = /^[A-Za-z0-9_.-]+$/;
const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_ROLES = ['viewer', 'ops', 'admin'];

export default {
  id: 'settings',
  title: 'Settings',
  render(root, ctx) {
    const { el } = ctx;
    const admin = ctx.can('admin');
    let alive = true;
    let namespaces = [];
    let withoutNamespace = null;
    let current = null; // the name being edited, '' for a new namespace

    const list = el('ul', { class: 'ns-list', 'aria-label': 'Namespaces' });
    const editor = el('div', { class: 'ns-editor' });
    const listProblem = el('div');

    root.append(
      el('section', { class: 'panel', 'aria-labelledby': 'ns-heading' },
        el('div', { class: 'detail-head' },
          el('h2', { id: 'ns-heading' }, 'Namespaces'),
          admin ? el('button', { class: 'btn btn-small', type: 'button', 'data-action': 'new-namespace', onclick: () => edit('') }, 'New namespace') : null),
        el('p', { class: 'muted' }, admin
          ? 'Options as in the configuration file. Changes apply to subscriptions and publications made afterwards.'
          : 'Options as in the configuration file. Only admins can change them.'),
        listProblem,
        el('div', { class: 'ns-layout' }, list, editor)),
      apiKeys(ctx, () => alive),
      el('section', { class: 'panel', 'aria-labelledby': 'hooks-heading' },
        el('h2', { id: 'hooks-heading' }, 'Webhook secrets'),
        el('p', {}, 'Each stack has its own deploy webhook secret. Rotate or remove it from the stack on the ',
          el('a', { href: '#/deployments' }, 'Deployments'), ' page.')),
    );

    function showList() {
      const items = namespaces.map((ns) => el('li', {}, el('button', {
        type: 'button', class: 'ns-item', dataset: { namespace: ns.name },
        'aria-current': ns.name === current ? 'true' : null,
        onclick: () => edit(ns.name),
      }, ns.name, RESERVED.has(ns.name) ? el('span', { class: 'sub' }, ' reserved') : null)));
      if (withoutNamespace) {
        items.push(el('li', {}, el('button', {
          type: 'button', class: 'ns-item', 'aria-current': current === null ? 'true' : null, onclick: () => edit(null),
        }, el('span', { class: 'muted' }, 'Channels without namespace'))));
      }
      list.replaceChildren(...items);
    }

    async function load(select) {
      try {
        const reply = await ctx.api.get('/api/v1/namespaces');
        if (!alive) return;
        namespaces = reply.namespaces || [];
        withoutNamespace = reply.without_namespace || null;
        listProblem.replaceChildren();
        const keep = select !== undefined ? select : current;
        const found = namespaces.some((ns) => ns.name === keep);
        edit(found || keep === '' ? keep : namespaces[0]?.name ?? null);
      } catch (err) {
        if (!alive || err.code === 'aborted') return;
        listProblem.replaceChildren(notice(err.status === 503
          ? 'Namespaces are unavailable right now (the relay answered 503). Try again shortly.'
          : `Namespaces could not be loaded: ${err.message}`));
      }
    }

    /** Shows one namespace in the editor; '' is a new one, null the options of channels without namespace. */
    function edit(name) {
      current = name;
      showList();
      const fresh = name === '';
      const ns = fresh ? { allow_subscribe_for_client: true } : name === null ? withoutNamespace : namespaces.find((n) => n.name === name);
      if (!ns) {
        editor.replaceChildren(el('p', { class: 'muted' }, 'No namespace selected.'));
        return;
      }
      const readOnly = !admin || name === null;
      const values = formValues(ns);
      const inputs = new Map();
      const nameInput = fresh ? el('input', { id: 'namespace-name', autocomplete: 'off', spellcheck: 'false', required: true }) : null;
      const error = el('p', { id: 'namespace-error', class: 'form-error', role: 'alert', hidden: true });
      const review = el('div', { class: 'ns-review', 'data-testid': 'namespace-review', hidden: true });
      const fail = (message, field) => {
        error.textContent = message;
        error.hidden = false;
        if (field) {
          field.setAttribute('aria-invalid', 'true');
          field.focus();
        }
      };

      function field(f) {
        const id = `ns-${f.key}`;
        if (f.type === 'bool' || f.type === 'deltas') {
          const box = el('input', { id, type: 'checkbox', checked: values[f.key], disabled: readOnly, dataset: { option: f.key } });
          inputs.set(f.key, () => box.checked);
          return el('label', { class: 'check ns-check', for: id }, box, ' ', f.label);
        }
        if (f.type === 'duration') {
          const number = el('input', { id, type: 'number', min: '0', step: '1', inputmode: 'numeric', value: String(values[f.key].value), disabled: readOnly, dataset: { option: f.key } });
          const unit = el('select', { id: `${id}-unit`, 'aria-label': `${f.label}: unit`, disabled: readOnly },
            UNITS.map(([u]) => el('option', { value: u, selected: u === values[f.key].unit }, UNIT_LABELS[u])));
          inputs.set(f.key, () => ({ value: number.value, unit: unit.value }));
          return el('div', { class: 'ns-field' }, el('label', { for: id }, f.label), el('div', { class: 'ns-duration' }, number, unit));
        }
        if (f.type === 'role') {
          const select = el('select', { id, disabled: readOnly, dataset: { option: f.key } },
            ['', ...KEY_ROLES].map((r) => el('option', { value: r, selected: r === values[f.key] }, r || 'no role needed')));
          inputs.set(f.key, () => select.value);
          return el('div', { class: 'ns-field' }, el('label', { for: id }, f.label), select);
        }
        const input = el('input', {
          id, type: f.type === 'int' ? 'number' : 'text', min: f.type === 'int' ? '0' : null, step: f.type === 'int' ? '1' : null,
          value: String(values[f.key]), disabled: readOnly, spellcheck: 'false', autocomplete: 'off', dataset: { option: f.key },
        });
        inputs.set(f.key, () => input.value);
        return el('div', { class: 'ns-field' }, el('label', { for: id }, f.label),
          input, f.help ? el('span', { class: 'sub' }, f.help) : null);
      }

      const groups = [...new Set(FIELDS.map((f) => f.group))].map((g) => el('fieldset', { class: 'ns-group' },
        el('legend', {}, g), FIELDS.filter((f) => f.group === g).map(field)));

      function target() {
        return fresh ? nameInput.value.trim() : name;
      }

      /** Reads the form: the options it gives and what they change; shows the changes to confirm. */
      function check(event) {
        event.preventDefault();
        error.hidden = true;
        editor.querySelectorAll('[aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'));
        if (!NAME.test(target())) {
          fail('A namespace name uses letters, digits, "_", "-" and "." only.', nameInput);
          return;
        }
        let options;
        try {
          options = optionsFrom(Object.fromEntries([...inputs].map(([k, read]) => [k, read()])));
        } catch (e) {
          fail(`${e.message}: nothing was saved.`);
          return;
        }
        const diff = changes(fresh ? {} : ns, options);
        if (!diff.length && !fresh) {
          review.replaceChildren(el('p', { class: 'muted' }, 'Nothing changed.'));
          review.hidden = false;
          return;
        }
        review.replaceChildren(
          el('h4', {}, fresh ? `Create “${target()}” with` : `${diff.length} change${diff.length === 1 ? '' : 's'} to “${name}”`),
          el('table', { class: 'table table-cards', 'data-testid': 'namespace-changes' },
            el('thead', {}, el('tr', {}, ['Option', 'Now', 'After saving'].map((h) => el('th', { scope: 'col' }, h)))),
            el('tbody', {}, diff.map((c) => el('tr', { dataset: { option: c.key } },
              el('th', { scope: 'row' }, c.label),
              el('td', { 'data-label': 'Now' }, c.before),
              el('td', { 'data-label': 'After saving' }, c.after))))),
          el('div', { class: 'actions' },
            el('button', { class: 'btn btn-primary', type: 'button', 'data-action': 'save-namespace', onclick: () => save(options) },
              fresh ? 'Create namespace' : `Save ${diff.length === 1 ? 'the change' : 'the changes'}`),
            el('button', { class: 'btn', type: 'button', onclick: () => { review.hidden = true; } }, 'Back to editing')));
        review.hidden = false;
        review.querySelector('[data-action=save-namespace]').focus();
      }

      async function save(options) {
        const t = target();
        const existed = namespaces.some((n) => n.name === t);
        try {
          await ctx.api.put(`/api/v1/namespaces/${encodeURIComponent(t)}`, options);
          if (!alive) return;
          ctx.toast(existed ? `Namespace “${t}” saved.` : `Namespace “${t}” created.`, 'ok');
          load(t);
        } catch (err) {
          if (!alive || err.code === 'aborted') return;
          const key = err.body?.error?.key ? String(err.body.error.key).split('.').pop() : null;
          review.hidden = true;
          fail(`Not saved: ${err.message}`, key ? editor.querySelector(`[data-option="${key}"]`) : null);
        }
      }

      async function remove() {
        const ok = await ctx.confirm(`Delete the namespace “${name}”? Its channels stop accepting new subscriptions. This cannot be undone.`, { okLabel: 'Delete namespace' });
        if (!ok || !alive) return;
        try {
          await ctx.api.del(`/api/v1/namespaces/${encodeURIComponent(name)}`);
          if (!alive) return;
          ctx.toast(`Namespace “${name}” deleted.`, 'ok');
          load(null);
        } catch (err) {
          if (alive && err.code !== 'aborted') fail(`Not deleted: ${err.message}`);
        }
      }

      const title = fresh ? 'New namespace' : name === null ? 'Channels without namespace' : `Namespace “${name}”`;
      const deletable = !readOnly && !fresh && !RESERVED.has(name);
      editor.replaceChildren(
        el('form', { class: 'ns-form', onsubmit: check, 'data-testid': 'namespace-form' },
          el('h3', {}, title),
          fresh ? [el('label', { for: 'namespace-name' }, 'Name'), nameInput] : null,
          groups,
          name === null ? el('p', { class: 'muted' }, 'These options come from the configuration (channel.without_namespace) and cannot be changed here.') : null,
          RESERVED.has(name) ? el('p', { class: 'muted' }, 'Reserved namespace: it can be changed but not deleted.') : null,
          el('details', { class: 'ns-json' }, el('summary', {}, 'As JSON'), el('pre', { class: 'code' }, JSON.stringify(ns, null, 2))),
          error,
          readOnly ? null : el('div', { class: 'actions' },
            el('button', { class: 'btn btn-primary', type: 'submit', 'data-action': 'review-namespace' }, fresh ? 'Review' : 'Review changes')),
          review),
        deletable ? el('section', { class: 'danger-zone', 'aria-labelledby': 'ns-danger-heading' },
          el('h4', { id: 'ns-danger-heading' }, 'Danger zone'),
          el('p', { class: 'muted' }, 'Deleting a namespace refuses new subscriptions to its channels; clients already subscribed keep their subscription until they leave.'),
          el('button', { class: 'btn btn-danger', type: 'button', 'data-action': 'delete-namespace', onclick: remove }, 'Delete namespace…')) : null);
      if (fresh) nameInput.focus();
    }

    load();
    return () => { alive = false; };
  },
};

/** "2026-11-23T17:00:00Z" as local date and time; anything unparsable as it came. */
function when(iso) {
  if (!iso) return '–';
  const t = Date.parse(String(iso));
  return Number.isNaN(t) ? String(iso) : new Date(t).toLocaleString(undefined, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}

/**
 * The API keys section. Only admins may list keys (GET /api/v1/keys answers 403 to anyone
 * else), so for other roles it asks nothing and says so. A created key's text comes back once,
 * from the POST, and is shown once.
 */
function apiKeys(ctx, alive) {
  const { el } = ctx;
  const section = el('section', { class: 'panel', 'aria-labelledby': 'keys-heading' },
    el('h2', { id: 'keys-heading' }, 'API keys'));
  if (!ctx.can('admin')) {
    section.append(el('p', { class: 'muted' }, 'API keys are visible to admins only.'));
    return section;
  }

  let keys = [];
  const problem = el('div');
  const tbody = el('tbody', {}, el('tr', { class: 'empty' }, el('td', { colspan: '6' }, 'Loading…')));
  const table = el('div', { class: 'table-wrap' },
    el('table', { class: 'table table-cards', 'data-testid': 'api-keys', 'aria-labelledby': 'keys-heading' },
      el('thead', {}, el('tr', {},
        ['Name', 'Role', 'Source', 'Created by', 'Created at', 'Actions']
          .map((h) => el('th', { scope: 'col' }, h)))),
      tbody));

  // ---- create form
  const nameInput = el('input', {
    id: 'key-name', name: 'name', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
    maxlength: '64', required: true, 'aria-describedby': 'key-name-hint key-error',
  });
  const roleSelect = el('select', { id: 'key-role', name: 'role' },
    KEY_ROLES.map((r) => el('option', { value: r, selected: r === 'viewer' }, r)));
  const createButton = el('button', {
    id: 'key-create', class: 'btn btn-primary', type: 'submit', 'data-action': 'create-key',
  }, 'Create key');
  const error = el('p', { id: 'key-error', class: 'form-error', role: 'alert', hidden: true });
  const created = el('div', { class: 'notice key-created', hidden: true });

  const fail = (message, field) => {
    error.textContent = message;
    error.hidden = false;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  };
  const clearError = () => {
    error.hidden = true;
    error.textContent = '';
    nameInput.removeAttribute('aria-invalid');
    roleSelect.removeAttribute('aria-invalid');
  };

  const form = el('form', { class: 'key-form', novalidate: true, onsubmit: create, 'aria-labelledby': 'key-form-heading' },
    el('h3', { id: 'key-form-heading' }, 'New key'),
    el('div', { class: 'key-fields' },
      el('div', { class: 'key-field key-field-name' },
        el('label', { for: 'key-name' }, 'Name'),
        nameInput),
      el('div', { class: 'key-field key-field-role' },
        el('label', { for: 'key-role' }, 'Role'),
        roleSelect),
      el('div', { class: 'key-field key-field-submit' }, createButton)),
    el('p', { id: 'key-name-hint', class: 'muted key-hint' },
      '1 to 64 letters, digits, ".", "_" or "-". Viewer reads; ops can also deploy and publish; admin can also change namespaces and keys.'),
    error);

  section.append(
    el('p', { class: 'muted' }, 'Keys for the HTTP APIs, sent as the X-API-Key header. Keys from the configuration (',
      el('code', {}, 'api.keys'), ') are listed but can only be removed there; the relay never shows a key again after creating it.'),
    problem,
    table,
    created,
    form);

  function showKeys() {
    if (!keys.length) {
      tbody.replaceChildren(el('tr', { class: 'empty' }, el('td', { colspan: '6' }, 'No API keys.')));
      return;
    }
    tbody.replaceChildren(...keys.map((k) => {
      const name = String(k.name ?? '');
      const managed = k.source === 'managed';
      return el('tr', { dataset: { key: name } },
        el('th', { scope: 'row' }, name),
        el('td', { 'data-label': 'Role' }, String(k.role ?? '–')),
        el('td', { 'data-label': 'Source' }, managed ? 'managed' : el('span', { title: 'From the configuration (api.keys): remove it there.' }, String(k.source ?? '–'))),
        el('td', { 'data-label': 'Created by' }, k.created_by ? String(k.created_by) : '–'),
        el('td', { 'data-label': 'Created at' }, k.created_at ? el('time', { datetime: String(k.created_at), title: String(k.created_at) }, when(k.created_at)) : '–'),
        el('td', { 'data-label': 'Actions' }, managed
          ? el('button', {
            class: 'btn btn-small btn-danger', type: 'button', 'data-action': 'revoke-key',
            'aria-label': `Revoke key ${name}`, onclick: (event) => revoke(name, event.currentTarget),
          }, 'Revoke')
          : el('span', { class: 'muted' }, 'in configuration')));
    }));
  }

  async function load() {
    try {
      const reply = await ctx.api.get('/api/v1/keys');
      if (!alive()) return;
      keys = Array.isArray(reply?.keys) ? reply.keys : [];
      problem.replaceChildren();
      showKeys();
    } catch (err) {
      if (!alive() || err.code === 'aborted') return;
      tbody.replaceChildren(el('tr', { class: 'empty' }, el('td', { colspan: '6' }, 'Not loaded.')));
      problem.replaceChildren(notice(`API keys could not be loaded: ${err.message}`));
    }
  }

  async function create(event) {
    event.preventDefault();
    clearError();
    const name = nameInput.value.trim();
    const role = roleSelect.value;
    if (!KEY_NAME.test(name)) {
      fail(name
        ? 'A key name has 1 to 64 characters: letters, digits, ".", "_" and "-" only. Nothing was sent.'
        : 'Enter a name for the key.', nameInput);
      return;
    }
    if (!KEY_ROLES.includes(role)) {
      fail('Choose a role: viewer, ops or admin.', roleSelect);
      return;
    }
    createButton.disabled = true;
    try {
      const reply = await ctx.api.post('/api/v1/keys', { name, role });
      if (!alive()) return;
      nameInput.value = '';
      showCreated(reply || {}, name);
      ctx.toast(`API key “${name}” created.`, 'ok');
      load();
    } catch (err) {
      if (alive() && err.code !== 'aborted') fail(`Not created: ${err.message}`, err.status === 400 || err.status === 409 ? nameInput : null);
    } finally {
      createButton.disabled = false;
    }
  }

  /** The new key's text, once: a read-only field, a copy button and the warning. */
  function showCreated(reply, fallbackName) {
    const name = String(reply.name ?? fallbackName);
    const field = el('input', {
      id: 'key-created', class: 'key-secret', type: 'text', readonly: true,
      autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'key-created-note',
    });
    field.value = String(reply.key ?? '');
    const status = el('p', { class: 'muted key-copy-status', role: 'status' });
    const copy = el('button', {
      class: 'btn', type: 'button', 'data-action': 'copy-key',
      onclick: async () => {
        try {
          if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
          await navigator.clipboard.writeText(field.value);
          status.textContent = 'Copied to the clipboard.';
        } catch {
          field.focus();
          field.select();
          status.textContent = 'Copying is not available here: the key is selected, copy it with the keyboard (Ctrl+C or ⌘C).';
        }
      },
    }, 'Copy');
    const hide = el('button', {
      class: 'btn', type: 'button', 'data-action': 'hide-key',
      onclick: () => { created.hidden = true; created.replaceChildren(); delete created.dataset.key; nameInput.focus(); },
    }, 'Done');
    created.dataset.key = name;
    created.replaceChildren(
      el('h3', {}, `New key “${name}”`, reply.role ? el('span', { class: 'sub' }, String(reply.role)) : null),
      el('p', { id: 'key-created-note' }, 'Copy this key now: it will not be shown again.'),
      el('label', { for: 'key-created' }, 'Key'),
      el('div', { class: 'key-secret-row' }, field, copy, hide),
      status);
    created.hidden = false;
    field.focus();
    field.select();
  }

  async function revoke(name, button) {
    const ok = await ctx.confirm(`Revoke the API key “${name}”? Requests with it are refused from now on. This cannot be undone.`, { okLabel: 'Revoke' });
    if (!ok || !alive()) return;
    if (button) button.disabled = true;
    try {
      await ctx.api.del(`/api/v1/keys/${encodeURIComponent(name)}`);
      if (!alive()) return;
      if (created.dataset.key === name) { created.hidden = true; created.replaceChildren(); delete created.dataset.key; }
      ctx.toast(`API key “${name}” revoked.`, 'ok');
      load();
    } catch (err) {
      if (!alive() || err.code === 'aborted') return;
      if (button) button.disabled = false;
      ctx.toast(err.status === 404 ? `API key “${name}” no longer exists.` : `Not revoked: ${err.message}`, 'error');
      if (err.status === 404) load();
    }
  }

  load();
  return section;
}
