// The sign-in page: the token is posted in the body (never a URL); the hub answers with the
// session cookie, and the browser goes on to the dashboard.
import { postForm } from './api.js';
import { byId } from './dom.js';

function showLoginMessage(text) {
  let message = byId('login-message');
  if (!message) {
    message = document.createElement('p');
    message.id = 'login-message';
    message.className = 'message';
    message.setAttribute('role', 'alert');
    byId('login-form').before(message);
  }
  message.textContent = text;
}

export function startLogin() {
  byId('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    postForm('/dashboard/login', { token: byId('token').value }).then(
      (res) => {
        if (res.ok) window.location.assign('/dashboard');
        else
          showLoginMessage(
            res.status === 429
              ? 'Too many sign-in attempts; retry later.'
              : 'That token is not accepted here: it is unknown, revoked or expired, or lacks the dashboard scope.',
          );
      },
      () => showLoginMessage('The hub did not answer.'),
    );
  });
}
