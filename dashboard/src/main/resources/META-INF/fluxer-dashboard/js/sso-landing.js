// The page /dashboard/sso/callback answers after a single sign-on: the session (the relay's login
// reply) sits in a data attribute, never in a URL. Store it where the dashboard keeps its session,
// then open the dashboard; replace() keeps the callback URL (with its one-time code) out of history.
import { sessionFrom, store } from './session.js';

const node = document.getElementById('sso-landing');
try {
  const reply = JSON.parse(node.dataset.session || 'null');
  if (!reply || !reply.token) throw new Error('no session');
  store(sessionFrom(reply, { sso: true }));
  node.removeAttribute('data-session');
  location.replace('../#/overview');
} catch {
  node.textContent = 'The sign-in could not be completed in this browser (is storage allowed?). ';
  const back = document.createElement('a');
  back.href = '../';
  back.textContent = 'Back to the sign-in page';
  node.append(back);
}
