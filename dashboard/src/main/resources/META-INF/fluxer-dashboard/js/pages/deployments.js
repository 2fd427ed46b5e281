// Deployments (#/deployments): three views, chosen by the rest of the hash (ctx.route):
//   #/deployments                    the stacks, recent deployments, engine events, the editor
//   #/deployments/stack/<name>       one stack: services, tasks by node, deployments, revisions, actions
//   #/deployments/deployment/<id>    one deployment: its live timeline, and why it failed
// Each view is a module of its own (js/deployments/) with its own state; the shell renders the
// page again on every change of the hash, so a view only lives while it is shown.
import { el, notice } from '../ui.js';
import { renderStacksList } from '../deployments/stacks-list.js';
import { renderStackPage } from '../deployments/stack-page.js';
import { renderDeploymentPage } from '../deployments/deployment-page.js';

export default {
  id: 'deployments',
  title: 'Deployments',
  render(root, ctx) {
    const [view, arg] = ctx.route || [];
    if (!view) return renderStacksList(root, ctx);
    if (view === 'stack' && arg) return renderStackPage(root, ctx, arg);
    if (view === 'deployment' && arg) return renderDeploymentPage(root, ctx, arg);
    root.append(notice('There is no such deployments view.'), el('a', { href: '#/deployments' }, 'Back to the stacks'));
    return undefined;
  },
};
