// Settings: API keys. Only admins may list keys (GET /api/v1/keys answers 403 to anyone else), so
// for other roles it asks nothing and says so. A created key's text comes back once, from the
// POST, and is shown once.
import { notice } from '../ui.js';
import { errorShower } from '../form.js';

const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;
export const KEY_ROLES = ['viewer', 'ops', 'admin'];

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
export function apiKeysSection(ctx, alive) {
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

  const fail = errorShower(error);
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
