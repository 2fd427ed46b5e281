// A stack's stored revisions and the line diff between any two of them (or a revision and the
// editor's text): GET /api/v1/stacks/{name}/revisions/{n}, each fetched once per view.
import { el } from '../ui.js';
import { errorText, isUnavailable } from '../util.js';
import { collapse, diffLines, diffStats } from '../pages/diff.js';
import { dateTime } from '../format/deployments.js';
import { API, enc } from './view.js';

/** Stored stack files of one stack: text(n) resolves to the file; a failed fetch is asked again next time. */
export function revisionFiles(api, stack) {
  const files = new Map(); // n -> {promise, text}
  return {
    known: (n) => files.get(n)?.text !== undefined,
    text(n) {
      let entry = files.get(n);
      if (!entry) {
        const e = { text: undefined, promise: null };
        entry = e;
        e.promise = api.get(`${API}/stacks/${enc(stack)}/revisions/${enc(n)}`).then((res) => {
          if (typeof res?.stack_file !== 'string') throw new Error(`the control API sent no stack file for revision ${n}`);
          e.text = res.stack_file;
          return e.text;
        });
        e.promise.catch(() => { if (files.get(n) === e) files.delete(n); });
        files.set(n, e);
      }
      return entry.promise;
    },
  };
}

function diffLine(op) {
  const tag = op.type === 'add' ? 'ins' : op.type === 'del' ? 'del' : 'div';
  const mark = op.type === 'add' ? '+' : op.type === 'del' ? '-' : ' ';
  return el(tag, { class: `diff-line diff-${op.type}` },
    el('span', { class: 'diff-no', 'aria-hidden': 'true' }, op.oldLine ?? ''),
    el('span', { class: 'diff-no', 'aria-hidden': 'true' }, op.newLine ?? ''),
    el('span', { class: 'diff-mark', 'aria-hidden': 'true' }, mark),
    op.type === 'same' ? null : el('span', { class: 'sr-only' }, op.type === 'add' ? 'added: ' : 'removed: '),
    el('span', { class: 'diff-text' }, op.text));
}

/** The diff of two texts as nodes: a summary, then the lines (long unchanged runs folded). */
export function diffNodes(a, b, fromLabel, toLabel) {
  const diff = diffLines(a, b);
  const stats = diffStats(diff);
  const lines = el('div', { class: 'diff-lines' });
  for (const part of collapse(diff, 3)) {
    if (part.type === 'skip') {
      lines.append(el('details', { class: 'diff-skip' }, el('summary', {}, `${part.lines.length} unchanged lines`),
        part.lines.map(diffLine)));
    } else {
      part.lines.forEach((op) => lines.append(diffLine(op)));
    }
  }
  return [el('p', { class: 'diff-summary' }, stats.added === 0 && stats.removed === 0
    ? `No differences between ${fromLabel} and ${toLabel}.`
    : `${fromLabel} → ${toLabel}: ${stats.added} line(s) added, ${stats.removed} removed.`), lines];
}

/**
 * The revisions panel's body: {element, update(revisions)}; `editorText` (ops) adds the editor's
 * contents as a side of the comparison. The two newest revisions are compared until the user picks.
 */
export function revisionsView({ stack, files, editorText = null }) {
  const state = { key: '', newest: '', seq: 0 };
  const list = el('ol', { class: 'revisions', reversed: true });
  const from = el('select', { id: 'diff-from', onchange: () => render() });
  const to = el('select', { id: 'diff-to', onchange: () => render() });
  const out = el('div', { class: 'diff', 'data-testid': 'diff', role: 'region', 'aria-label': 'Differences between the chosen revisions', tabindex: '0' });
  const element = el('div', { class: 'revisions-view' },
    list,
    el('div', { class: 'inline-fields' },
      el('label', { for: 'diff-from' }, 'Compare'), from,
      el('label', { for: 'diff-to' }, 'with'), to),
    out);

  const label = (v) => (v === 'editor' ? 'the editor' : `revision ${v}`);
  const textOf = (v) => (v === 'editor' ? Promise.resolve(editorText ? editorText() : '') : files.text(Number(v)));

  function setOptions(select, options, preferred, reset) {
    const before = select.value;
    select.replaceChildren(...options.map(([value, text]) => el('option', { value }, text)));
    const values = options.map(([v]) => v);
    select.value = !reset && before !== '' && values.includes(before) ? before : (values.includes(preferred) ? preferred : values[0] ?? '');
  }

  async function render() {
    const seq = ++state.seq;
    const a = from.value;
    const b = to.value;
    if (!a || !b) {
      out.replaceChildren(el('p', { class: 'muted' }, 'No revisions to compare.'));
      return;
    }
    const fetching = [...new Set([a, b])].filter((v) => v !== 'editor' && !files.known(Number(v)));
    if (fetching.length) {
      out.replaceChildren(el('p', { class: 'muted', role: 'status', 'aria-busy': 'true' }, `Loading ${fetching.map(label).join(' and ')}…`));
    }
    const [ra, rb] = await Promise.allSettled([textOf(a), textOf(b)]);
    if (seq !== state.seq) return;
    const failed = ra.status === 'rejected' ? [a, ra.reason] : rb.status === 'rejected' ? [b, rb.reason] : null;
    if (failed) {
      const [which, err] = failed;
      out.replaceChildren(err?.status === 404
        ? el('p', { class: 'muted', role: 'status' }, `${stack} has no stored ${label(which)} (any more).`)
        : isUnavailable(err)
          ? el('p', { class: 'muted', role: 'status' }, 'The control plane is not running: the stored stack files cannot be read now.')
          : el('p', { class: 'error-text', role: 'alert' }, `Could not load ${label(which)}: ${errorText(err)}`));
      return;
    }
    out.replaceChildren(...diffNodes(ra.value, rb.value, label(a), label(b)));
  }

  return {
    element,
    render,
    /** The editor's text changed: redraw when it is a side. */
    editorChanged() {
      if (from.value === 'editor' || to.value === 'editor') render();
    },
    update(revisions) {
      const sorted = (Array.isArray(revisions) ? revisions : []).filter((r) => r && Number.isInteger(r.revision))
        .sort((x, y) => y.revision - x.revision);
      const key = sorted.map((r) => r.revision).join(',');
      if (key === state.key) return;
      state.key = key;
      list.replaceChildren(...sorted.map((r) => el('li', { value: String(r.revision), 'data-revision': String(r.revision) },
        el('strong', {}, `Revision ${r.revision}`), ' ',
        el('span', { class: 'muted' }, `by ${r.created_by ?? 'unknown'}, ${dateTime(r.created_at)}`))));
      if (!sorted.length) list.append(el('li', { class: 'muted' }, 'No stored revisions.'));
      const options = sorted.map((r) => [String(r.revision), `Revision ${r.revision}`]);
      if (editorText) options.unshift(['editor', 'Editor contents']);
      const newest = sorted[0] ? String(sorted[0].revision) : (editorText ? 'editor' : '');
      const previous = sorted[1] ? String(sorted[1].revision) : newest;
      // a new revision moves the comparison to the two newest; otherwise the choice stays
      const fresh = state.newest !== newest;
      state.newest = newest;
      setOptions(from, options, previous, fresh);
      setOptions(to, options, sorted.length === 1 && editorText ? 'editor' : newest, fresh);
      render();
    },
  };
}
