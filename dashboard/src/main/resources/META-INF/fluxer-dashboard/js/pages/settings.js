// Settings: namespaces (read by everyone, changed by admins), API keys (listed, created and
// revoked by admins only) and where webhook secrets are managed.
import { apiKeysSection } from '../settings/api-keys.js';
import { namespacesSection } from '../settings/namespaces.js';

export default {
  id: 'settings',
  title: 'Settings',
  render(root, ctx) {
    const { el } = ctx;
    let shown = true;
    const alive = () => shown;
    root.append(
      namespacesSection(ctx, alive),
      apiKeysSection(ctx, alive),
      el('section', { class: 'panel', 'aria-labelledby': 'hooks-heading' },
        el('h2', { id: 'hooks-heading' }, 'Webhook secrets'),
        el('p', {}, 'Each stack has its own deploy webhook secret. Rotate or remove it from the stack on the ',
          el('a', { href: '#/deployments' }, 'Deployments'), ' page.')));
    return () => { shown = false; };
  },
};
