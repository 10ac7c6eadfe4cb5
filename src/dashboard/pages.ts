// The two HTML pages. Both are static shells: no inline script or style (the CSP forbids them),
// every dynamic value escaped; the data is fetched and drawn by /dashboard/assets/dashboard.js.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// Security: HTML injection. A token name or message is text, never markup.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

function layout(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="/dashboard/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script type="module" src="/dashboard/assets/dashboard.js"></script>
${head}</head>
<body>
${body}
</body>
</html>
`;
}

// The sign-in form: the token goes in a POST body, never in a URL. The page's script sends it
// (with a same-origin referrer policy for that one request: under the pages' no-referrer policy
// a plain form POST carries `Origin: null`, which the hub's Origin check refuses).
export function renderLoginPage(options: { message?: string | undefined } = {}): string {
  const message = options.message
    ? `<p class="message" id="login-message" role="alert">${escapeHtml(options.message)}</p>\n`
    : '';
  return layout(
    'Bastion dashboard: sign in',
    '',
    `<main class="login">
<h1>Bastion dashboard</h1>
${message}<form method="post" action="/dashboard/login" id="login-form">
<label for="token">Token with the dashboard scope</label>
<input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Sign in</button>
</form>
<p class="hint">Create one with <code>bastion token create NAME --servers dashboard</code>.</p>
</main>`,
  );
}

// The monitoring page of a signed-in session. `csrf` is read by the page's script from the
// meta tag and sent with each POST.
export function renderDashboardPage(options: { tokenName: string; csrf: string }): string {
  const csrf = escapeHtml(options.csrf);
  return layout(
    'Bastion dashboard',
    `<meta name="bastion-csrf" content="${csrf}">
`,
    `<header>
<h1>Bastion dashboard</h1>
<span id="who">signed in as <strong>${escapeHtml(options.tokenName)}</strong></span>
<form method="post" action="/dashboard/logout" id="logout-form">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit">Sign out</button>
</form>
</header>
<main>
<section id="servers">
<h2>Servers</h2>
<table id="servers-table"><thead><tr><th>Server</th><th>State</th><th>Sandbox</th><th>Sessions</th><th>Calls</th><th>Refusals</th><th>Errors</th></tr></thead><tbody></tbody></table>
<p id="audit-health" class="state"></p>
</section>
<section id="verify">
<h2>Audit chain</h2>
<p id="verify-state" class="state">not checked yet</p>
<button type="button" id="verify-now">Verify now</button>
</section>
<section id="activity">
<h2>Calls and refusals, last hour (per minute)</h2>
<canvas id="chart" width="960" height="180" role="img" aria-label="calls and refusals per minute"></canvas>
<p class="legend"><span class="key calls"></span> calls <span class="key refusals"></span> refusals</p>
</section>
<section id="calls">
<h2>Latest calls</h2>
<form id="filters">
<label>Server <select id="filter-server" name="server"><option value="">all</option></select></label>
<label>Tool <select id="filter-tool" name="tool"><option value="">all</option></select></label>
<label>Decision <select id="filter-decision" name="decision"><option value="">all</option><option value="allow">allow</option><option value="deny">deny</option><option value="error">error</option></select></label>
</form>
<p id="live-state" class="state">connecting…</p>
<table id="calls-table"><thead><tr><th>Time</th><th>Server</th><th>Tool</th><th>Principal</th><th>Decision</th><th>Outcome</th><th>ms</th><th>Arguments</th></tr></thead><tbody></tbody></table>
</section>
<section id="errors">
<h2>Error groups</h2>
<table id="errors-table"><thead><tr><th>Class</th><th>Count</th><th>Tools</th><th>Last</th></tr></thead><tbody></tbody></table>
</section>
<section id="changes">
<h2>Recent changes</h2>
<p id="undo-result" role="status"></p>
<table id="changes-table"><thead><tr><th>Time</th><th>Tool</th><th>Principal</th><th>Paths</th><th></th></tr></thead><tbody></tbody></table>
</section>
</main>`,
  );
}
