import {
  describeStale,
  type HealthResult,
  type HubInspection,
  type HubState,
} from '../../hub/lifecycle/index.js';

// A state not rewritten for this long (the hub rewrites it every 2 s) is shown as stale.
const STATE_STALE_MS = 10_000;

// What `bastion status --json` prints: a stable shape for scripts.
export interface StatusReport {
  running: boolean;
  healthy: boolean;
  pid?: number;
  url?: string;
  listen?: string;
  version?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  stateAgeSeconds?: number;
  healthz?: HealthResult;
  servers?: HubState['servers'];
  stale: string[];
}

// Exit codes as systemctl's: 0 running (and answering), 3 not running, 1 running but /healthz
// does not answer 200.
export function statusExitCode(report: StatusReport): number {
  if (!report.running) return 3;
  return report.healthy ? 0 : 1;
}

// The report for an inspection and (when running with a known URL) one /healthz answer.
export function buildStatusReport(
  inspection: HubInspection,
  health: HealthResult | undefined,
  now: number,
): StatusReport {
  const stale = inspection.stale.map(describeStale);
  if (!inspection.running) return { running: false, healthy: false, stale };
  const state = inspection.state;
  const seconds = (iso: string): number | undefined => {
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? undefined : Math.max(0, Math.round((now - ms) / 1000));
  };
  const uptimeSeconds = state ? seconds(state.startedAt) : undefined;
  const stateAgeSeconds = state ? seconds(state.updatedAt) : undefined;
  return {
    running: true,
    healthy: health?.ok ?? false,
    pid: inspection.pid,
    ...(state
      ? {
          url: state.url,
          listen: state.listen,
          version: state.version,
          startedAt: state.startedAt,
          servers: state.servers,
        }
      : {}),
    ...(uptimeSeconds !== undefined ? { uptimeSeconds } : {}),
    ...(stateAgeSeconds !== undefined ? { stateAgeSeconds } : {}),
    ...(health ? { healthz: health } : {}),
    stale,
  };
}

// 3725 -> "1h 2m 5s".
export function formatUptime(totalSeconds: number): string {
  const d = Math.floor(totalSeconds / 86_400);
  const h = Math.floor((totalSeconds % 86_400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', `${s}s`];
  return parts.filter((p) => p !== '').join(' ');
}

function formatHealth(health: HealthResult | undefined): string {
  if (health === undefined) return 'not checked (no URL recorded yet)';
  if (health.ok) return 'ok (200)';
  return `FAILED (${health.error ?? `status ${health.status}`})`;
}

// The human-readable status, one line per fact.
export function formatStatus(report: StatusReport): string[] {
  const lines: string[] = [];
  if (!report.running) {
    lines.push('bastion hub: not running');
  } else {
    lines.push(`bastion hub: running${report.healthy ? '' : ' (not answering /healthz)'}`);
    if (report.url) lines.push(`  url       ${report.url}`);
    lines.push(`  pid       ${report.pid}`);
    if (report.uptimeSeconds !== undefined)
      lines.push(`  uptime    ${formatUptime(report.uptimeSeconds)}`);
    if (report.version) lines.push(`  version   ${report.version}`);
    lines.push(`  healthz   ${formatHealth(report.healthz)}`);
    if (report.stateAgeSeconds !== undefined && report.stateAgeSeconds * 1000 > STATE_STALE_MS)
      lines.push(`  state     not updated for ${report.stateAgeSeconds}s (the hub may be stuck)`);
    if (report.servers === undefined) lines.push('  servers   (no state recorded yet)');
    else {
      const names = Object.keys(report.servers).sort();
      const width = Math.max(0, ...names.map((n) => n.length));
      for (const [i, name] of names.entries()) {
        const s = report.servers[name];
        if (s === undefined) continue;
        const label = i === 0 ? '  servers   ' : '            ';
        lines.push(
          `${label}${name.padEnd(width)}  ${s.path}  calls ${s.calls}  refusals ${s.refusals}  sessions ${s.sessions}${s.sandbox ? `  sandbox ${s.sandbox}` : ''}`,
        );
      }
    }
  }
  for (const line of report.stale) lines.push(`  stale     ${line}`);
  return lines;
}
