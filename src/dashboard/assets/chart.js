// The chart of calls and refusals per minute, drawn on the page's canvas (no library, no CDN).
import { formatTime } from './dom.js';

const BUCKET_MS = 60_000;

function cssColor(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

// Bars per minute: calls behind, refusals in front.
export function drawChart(canvas, points) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const left = 32;
  const bottom = height - 18;
  const max = Math.max(1, ...points.map((p) => p.calls));
  const slot = (width - left) / Math.max(1, points.length);
  const muted = cssColor('--muted', '#666');
  ctx.fillStyle = muted;
  ctx.font = '11px sans-serif';
  ctx.fillText(String(max), 2, 12);
  ctx.fillText('0', 2, bottom);
  ctx.strokeStyle = cssColor('--grid', '#ccc');
  ctx.beginPath();
  ctx.moveTo(left, bottom + 0.5);
  ctx.lineTo(width, bottom + 0.5);
  ctx.stroke();
  const callsColor = cssColor('--calls', '#3b6ea5');
  const refusalsColor = cssColor('--refusals', '#c0392b');
  points.forEach((p, i) => {
    const x = left + i * slot + 1;
    const w = Math.max(1, slot - 2);
    const callsH = ((bottom - 4) * p.calls) / max;
    const refusalsH = ((bottom - 4) * p.refusals) / max;
    ctx.fillStyle = callsColor;
    ctx.fillRect(x, bottom - callsH, w, callsH);
    ctx.fillStyle = refusalsColor;
    ctx.fillRect(x, bottom - refusalsH, w, refusalsH);
  });
  const first = points[0];
  const last = points[points.length - 1];
  ctx.fillStyle = muted;
  if (first) ctx.fillText(formatTime(first.t), left, height - 4);
  if (last) ctx.fillText(formatTime(last.t), width - 60, height - 4);
}

// Counts one live record into the series (a call once: its intent, or its only record; a
// refusal when its decision says deny), moving the window on when a new minute began.
// True when the series changed.
export function countInSeries(series, record) {
  const time = Date.parse(record.time);
  if (Number.isNaN(time) || series.length === 0) return false;
  const bucket = Math.floor(time / BUCKET_MS) * BUCKET_MS;
  // Bounded: at most the window's length of minutes is moved on, whatever the record's clock.
  for (let moved = 0; moved < series.length; moved += 1) {
    const last = series[series.length - 1];
    if (Date.parse(last.t) >= bucket) break;
    series.shift();
    series.push({
      t: new Date(Date.parse(last.t) + BUCKET_MS).toISOString(),
      calls: 0,
      refusals: 0,
    });
  }
  const point = series.find((p) => Date.parse(p.t) === bucket);
  if (!point) return false;
  if (record.phase !== 'outcome') point.calls += 1;
  if (record.decision === 'deny') point.refusals += 1;
  return true;
}
