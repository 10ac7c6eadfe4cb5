// The page's calls to the hub: JSON reads from the API, and POSTs the hub's checks accept.

export const API = '/dashboard/api/';

// The session's CSRF token, put in the page by the hub; sent with every POST.
export const csrf =
  document.querySelector('meta[name="bastion-csrf"]')?.getAttribute('content') ?? '';

// A read of the API; a 401 (the session ended) sends the browser to the sign-in form.
export async function getJson(path) {
  const res = await fetch(API + path, {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  if (res.status === 401) {
    window.location.assign('/dashboard');
    throw new Error('signed out');
  }
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

// A POST the hub accepts: the pages are served with Referrer-Policy no-referrer, under which the
// browser would send `Origin: null`; this request alone asks for same-origin, so it names the
// hub's origin (sent to the hub only), which the hub's Origin check requires.
export function post(url, init) {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    referrerPolicy: 'same-origin',
    ...init,
  });
}

export function postForm(url, fields) {
  return post(url, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}
