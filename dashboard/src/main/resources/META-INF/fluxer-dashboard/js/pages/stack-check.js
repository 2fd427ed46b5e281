// The stack editor's check panel: the dry run's errors and warnings with their lines (a click puts
// the caret on that line of the editor) and the plan of the deploy. What the server sends reaches
// the DOM as text only. The data comes shaped by plan.js.

import { el } from '../ui.js';
import { lineRange } from './plan.js';

/** Puts the caret on a 1-based line of a textarea, selects it and scrolls it into view. */
export function goToLine(textarea, line, column) {
  const [start, end] = lineRange(textarea.value, line);
  textarea.focus({ preventScroll: true });
  const caret = column ? Math.min(start + column - 1, end) : start;
  textarea.setSelectionRange(caret, end);
  const lineHeight = Number.parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

function problemItem(textarea, p, kind) {
  const text = [p.key, p.message].filter(Boolean).join(': ');
  const label = p.line ? `Line ${p.line}${p.column ? `:${p.column}` : ''}` : 'File';
  return el('li', { class: `problem problem-${kind}`, dataset: { line: p.line ?? '', kind } },
    p.line
      ? el('button', {
        type: 'button', class: 'line-link', title: `Go to ${p.where}`,
        onclick: () => goToLine(textarea, p.line, p.column),
      }, label)
      : el('span', { class: 'line-link' }, label),
    ' ',
    el('span', { class: kind === 'error' ? 'error-text' : undefined }, text));
}

function serviceItem(s) {
  return el('li', { class: 'plan-service', dataset: { service: s.name, planAction: s.action } },
    el('span', { class: `plan-action plan-${s.action.replace(/[^a-z]/g, '')}` }, s.action),
    ' ',
    el('span', { class: 'mono wrap-anywhere' }, s.name),
    s.changes.length
      ? el('ul', { class: 'plan-changes' }, s.changes.map((c) => el('li', { class: 'mono wrap-anywhere' }, c)))
      : null);
}

/**
 * The panel for a textarea. Its `data-state` says where the check is: idle, pending, ok, errors,
 * failed (the check itself could not run).
 */
export function createCheckPanel(textarea) {
  const status = el('p', { id: 'check-status', class: 'check-status', role: 'status', 'aria-live': 'polite' });
  const problems = el('ul', { class: 'problems', 'data-testid': 'plan-problems' });
  const plan = el('ul', { class: 'plan-services', 'data-testid': 'plan-services' });
  const element = el('section', { class: 'check-panel', 'data-testid': 'stack-check', 'data-state': 'idle', 'aria-labelledby': 'check-h' },
    el('h3', { id: 'check-h' }, 'Check and plan'), status, problems, plan);

  function set(state, message) {
    element.dataset.state = state;
    status.textContent = message;
  }

  return {
    element,
    statusId: status.id,
    idle(message) {
      set('idle', message);
      problems.replaceChildren();
      plan.replaceChildren();
    },
    pending() {
      // the previous result stays visible until the new one arrives
      element.dataset.state = 'pending';
      status.textContent = 'Checking…';
    },
    failed(message) {
      set('failed', message);
      problems.replaceChildren();
      plan.replaceChildren();
    },
    /** Shows a planView(): errors, then warnings, then the services when there is no error. */
    show(view) {
      set(view.deployable ? 'ok' : 'errors', view.deployable
        ? `Plan: ${view.summaryText}${view.warnings.length ? ` (${view.warnings.length} warning${view.warnings.length === 1 ? '' : 's'})` : ''}`
        : view.summaryText);
      problems.replaceChildren(...view.errors.map((p) => problemItem(textarea, p, 'error')),
        ...view.warnings.map((p) => problemItem(textarea, p, 'warning')));
      plan.replaceChildren(...(view.deployable ? view.services.map(serviceItem) : []));
    },
  };
}
