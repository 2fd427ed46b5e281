// Settings: namespaces, one at a time in a form (read by everyone, changed by admins): a review of
// exactly what a save changes before it is sent, and Delete apart in a danger zone, confirmed.
import { notice } from '../ui.js';
import { errorShower } from '../form.js';
import { FIELDS, UNITS, UNIT_LABELS, changes, formValues, optionsFrom } from '../format/namespace.js';
import { KEY_ROLES } from './api-keys.js';

const RESERVED = new Set(['sys', 'deploy', 'logs', 'swarm']);
const NAME = /^[A-Za-z0-9_.-]+$/;

/** The namespaces section; `alive()` says whether the page is still shown. */
export function namespacesSection(ctx, alive) {
  const { el } = ctx;
  const admin = ctx.can('admin');
  // the namespaces listed, the options of channels without namespace, the name being edited ('' for a new one)
  const state = { namespaces: [], withoutNamespace: null, current: null };

  const list = el('ul', { class: 'ns-list', 'aria-label': 'Namespaces' });
  const editor = el('div', { class: 'ns-editor' });
  const listProblem = el('div');

  const section = el('section', { class: 'panel', 'aria-labelledby': 'ns-heading' },
    el('div', { class: 'detail-head' },
      el('h2', { id: 'ns-heading' }, 'Namespaces'),
      admin ? el('button', { class: 'btn btn-small', type: 'button', 'data-action': 'new-namespace', onclick: () => edit('') }, 'New namespace') : null),
    el('p', { class: 'muted' }, admin
      ? 'Options as in the configuration file. Changes apply to subscriptions and publications made afterwards.'
      : 'Options as in the configuration file. Only admins can change them.'),
    listProblem,
    el('div', { class: 'ns-layout' }, list, editor));

  function showList() {
    const items = state.namespaces.map((ns) => el('li', {}, el('button', {
      type: 'button', class: 'ns-item', dataset: { namespace: ns.name },
      'aria-current': ns.name === state.current ? 'true' : null,
      onclick: () => edit(ns.name),
    }, ns.name, RESERVED.has(ns.name) ? el('span', { class: 'sub' }, ' reserved') : null)));
    if (state.withoutNamespace) {
      items.push(el('li', {}, el('button', {
        type: 'button', class: 'ns-item', 'aria-current': state.current === null ? 'true' : null, onclick: () => edit(null),
      }, el('span', { class: 'muted' }, 'Channels without namespace'))));
    }
    list.replaceChildren(...items);
  }

  async function load(select) {
    try {
      const reply = await ctx.api.get('/api/v1/namespaces');
      if (!alive()) return;
      state.namespaces = reply.namespaces || [];
      state.withoutNamespace = reply.without_namespace || null;
      listProblem.replaceChildren();
      const keep = select !== undefined ? select : state.current;
      const found = state.namespaces.some((ns) => ns.name === keep);
      edit(found || keep === '' ? keep : state.namespaces[0]?.name ?? null);
    } catch (err) {
      if (!alive() || err.code === 'aborted') return;
      listProblem.replaceChildren(notice(err.status === 503
        ? 'Namespaces are unavailable right now (the relay answered 503). Try again shortly.'
        : `Namespaces could not be loaded: ${err.message}`));
    }
  }

  /** Shows one namespace in the editor; '' is a new one, null the options of channels without namespace. */
  function edit(name) {
    state.current = name;
    showList();
    const fresh = name === '';
    const ns = fresh ? { allow_subscribe_for_client: true } : name === null ? state.withoutNamespace : state.namespaces.find((n) => n.name === name);
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
    const fail = errorShower(error);

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
      const existed = state.namespaces.some((n) => n.name === t);
      try {
        await ctx.api.put(`/api/v1/namespaces/${encodeURIComponent(t)}`, options);
        if (!alive()) return;
        ctx.toast(existed ? `Namespace “${t}” saved.` : `Namespace “${t}” created.`, 'ok');
        load(t);
      } catch (err) {
        if (!alive() || err.code === 'aborted') return;
        const key = err.body?.error?.key ? String(err.body.error.key).split('.').pop() : null;
        review.hidden = true;
        fail(`Not saved: ${err.message}`, key ? editor.querySelector(`[data-option="${key}"]`) : null);
      }
    }

    async function remove() {
      const ok = await ctx.confirm(`Delete the namespace “${name}”? Its channels stop accepting new subscriptions. This cannot be undone.`, { okLabel: 'Delete namespace' });
      if (!ok || !alive()) return;
      try {
        await ctx.api.del(`/api/v1/namespaces/${encodeURIComponent(name)}`);
        if (!alive()) return;
        ctx.toast(`Namespace “${name}” deleted.`, 'ok');
        load(null);
      } catch (err) {
        if (alive() && err.code !== 'aborted') fail(`Not deleted: ${err.message}`);
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
  return section;
}
