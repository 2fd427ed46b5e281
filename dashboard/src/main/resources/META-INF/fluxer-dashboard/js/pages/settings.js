// Settings: namespaces (read by everyone, changed by admins), where API keys and webhook
// secrets are managed.
import { notice } from '../ui.js';

const RESERVED = new Set(['sys', 'deploy', 'logs', 'swarm']);
const NAME = /^[A-Za-z0-9_.-]+$/;

/** A namespace's options as the editor shows them: the name lives in the path, not the body. */
function editable(ns) {
  const { name, ...options } = ns;
  return JSON.stringify(options, null, 2);
}

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
      el('section', { class: 'panel', 'aria-labelledby': 'keys-heading' },
        el('h2', { id: 'keys-heading' }, 'API keys'),
        el('p', {}, 'API keys for the HTTP APIs come from the relay\'s configuration (',
          el('code', {}, 'api.keys'), ', each with a role). The relay keeps only their SHA-256 hashes, so it cannot list or show them here: add, remove or rotate a key in the configuration (or its secret file) and restart the relay.')),
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
      const ns = fresh ? {} : name === null ? withoutNamespace : namespaces.find((n) => n.name === name);
      if (!ns) {
        editor.replaceChildren(el('p', { class: 'muted' }, 'No namespace selected.'));
        return;
      }
      const readOnly = !admin || name === null;
      const nameInput = fresh ? el('input', { id: 'namespace-name', autocomplete: 'off', spellcheck: 'false', required: true }) : null;
      const json = el('textarea', {
        id: 'namespace-json', rows: '14', spellcheck: 'false', readonly: readOnly, 'aria-describedby': 'namespace-error',
      });
      json.value = fresh ? '{\n  "history_size": 0,\n  "allow_subscribe_for_client": true\n}' : editable(ns);
      const error = el('p', { id: 'namespace-error', class: 'form-error', role: 'alert', hidden: true });
      const fail = (message, field = json) => {
        error.textContent = message;
        error.hidden = false;
        field.setAttribute('aria-invalid', 'true');
        field.focus();
      };

      async function save(event) {
        event.preventDefault();
        error.hidden = true;
        json.removeAttribute('aria-invalid');
        nameInput?.removeAttribute('aria-invalid');
        const target = fresh ? nameInput.value.trim() : name;
        if (!NAME.test(target)) {
          fail('A namespace name uses letters, digits, "_", "-" and "." only.', nameInput);
          return;
        }
        let options;
        try {
          options = JSON.parse(json.value);
        } catch (e) {
          fail(`Not valid JSON, nothing was saved: ${e.message}`);
          return;
        }
        if (!options || typeof options !== 'object' || Array.isArray(options)) {
          fail('The options must be a JSON object, e.g. {"history_size": 10}.');
          return;
        }
        const existed = namespaces.some((n) => n.name === target);
        try {
          await ctx.api.put(`/api/v1/namespaces/${encodeURIComponent(target)}`, options);
          if (!alive) return;
          ctx.toast(existed ? `Namespace “${target}” saved.` : `Namespace “${target}” created.`, 'ok');
          load(target);
        } catch (err) {
          if (alive && err.code !== 'aborted') fail(`Not saved: ${err.message}`);
        }
      }

      async function remove() {
        const ok = await ctx.confirm(`Delete the namespace “${name}”? Its channels stop accepting new subscriptions.`, { okLabel: 'Delete' });
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
      editor.replaceChildren(el('form', { class: 'ns-form', onsubmit: save },
        el('h3', {}, title),
        fresh ? [el('label', { for: 'namespace-name' }, 'Name'), nameInput] : null,
        el('label', { for: 'namespace-json' }, 'Options (JSON)'),
        json,
        name === null ? el('p', { class: 'muted' }, 'These options come from the configuration (channel.without_namespace) and cannot be changed here.') : null,
        RESERVED.has(name) ? el('p', { class: 'muted' }, 'Reserved namespace: it can be changed but not deleted.') : null,
        error,
        readOnly ? null : el('div', { class: 'actions' },
          el('button', { class: 'btn btn-primary', type: 'submit', 'data-action': 'save-namespace' }, fresh ? 'Create' : 'Save'),
          !fresh && !RESERVED.has(name)
            ? el('button', { class: 'btn btn-danger', type: 'button', 'data-action': 'delete-namespace', onclick: remove }, 'Delete')
            : null)));
      if (fresh) nameInput.focus();
    }

    load();
    return () => { alive = false; };
  },
};
