// Threats to the dashboard at /dashboard; every id has at least one test named `[ID] ...`
// (test/security/dashboard-access.test.ts, test/integration/dashboard-browser.test.ts).
export const DASHBOARD_THREATS = [
  {
    id: 'DASH-AUTH-01',
    description:
      'The page or an API route shows audit data without a live session: no cookie, a forged cookie, a bearer token instead of a session, or a token without the dashboard scope',
  },
  {
    id: 'DASH-AUTH-02',
    description:
      'The token travels in a URL, is kept in the cookie or the page, or the cookie can be read by scripts, sent cross-site or to other routes (HttpOnly, SameSite=Strict, Path=/dashboard)',
  },
  {
    id: 'DASH-AUTH-03',
    description:
      'Sign-in attempts are not bounded by the per-address guessing budget: past it a right token still opens a session',
  },
  {
    id: 'DASH-AUTH-04',
    description:
      'A session outlives its token: after a revoke or a rotate it keeps reading the audit log, or a sign-out leaves it usable',
  },
  {
    id: 'DASH-CSRF-01',
    description:
      'A cross-site request (a foreign Origin, no Origin, no or a wrong CSRF token) signs in, signs out or undoes a change',
  },
  {
    id: 'DASH-XSS-01',
    description:
      'Audit data (a file name carrying markup) runs as script in the page, or the page runs inline code or loads anything from outside the hub',
  },
  {
    id: 'DASH-UNDO-01',
    description:
      'The Undo button takes back a change that can no longer be undone as is (changed since, already undone), or a read-only token undoes one',
  },
  {
    id: 'DASH-DOS-01',
    description:
      'A signed-in page (its verification every minute, or Verify now) stalls the hub: the audit chain is verified on the event loop, so no call and no /healthz is answered while a large log is read',
  },
  {
    id: 'DASH-DOS-02',
    description:
      "A client's tool arguments or made-up tool names set the size of what the dashboard holds and streams: keys and nested objects pass the per-value cut whole (one refused call puts megabytes in the page's view of 20,000 records and in every event stream), and every distinct name becomes a filter choice in every summary",
  },
] as const;
