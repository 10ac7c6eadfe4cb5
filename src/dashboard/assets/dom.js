// DOM helpers. Every value from the hub goes in as text (textContent), never as markup: audit
// data (paths, commands, names) may carry anything.

export const byId = (id) => document.getElementById(id);

export function cell(tr, text, className) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (className) td.className = className;
  tr.append(td);
  return td;
}

export function formatTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
}

export function formatArgs(args) {
  if (args === undefined) return '';
  const text = JSON.stringify(args);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

export function showProblem(where, err) {
  const target = byId(where);
  if (target) target.textContent = `could not load: ${err instanceof Error ? err.message : err}`;
}
