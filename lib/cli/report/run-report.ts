import { handlerFailureLine } from '../handler-failure.js';
import { layoutDag } from './dag-layout.js';
import { readRecordedRun, type RecordedAttempt, type RecordedRun } from './read-run.js';

/** Bars drawn at most; a larger run shows its first attempts and says so. */
const MAX_BARS = 5000;
const STATUS_COLOR: Record<string, string> = { succeeded: '#2f9e44', reused: '#74b816', failed: '#e03131', cancelled: '#f59f00', running: '#1c7ed6' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

type TaskRecord = NonNullable<RecordedRun['summary']['tasks']>[string];

/**
 * A node's class: the task's status once the run ended (skipped and cancelled tasks ran no instance, and are
 * drawn as such, not as pending); a record without statuses (older, or still running) goes by its counts.
 */
function nodeStatus(stats: TaskRecord | undefined): string {
  if (stats?.status) return stats.status;
  if (!stats || stats.instances === 0) return 'pending';
  return stats.failed > 0 ? 'failed' : 'succeeded';
}

function nodeTitle(stats: TaskRecord | undefined, status: string): string {
  if (!stats || (stats.instances === 0 && (status === 'skipped' || status === 'cancelled' || status === 'pending'))) {
    return status === 'skipped' ? 'skipped: its result is null' : status === 'cancelled' ? 'cancelled: never started' : 'not run';
  }
  return `${status}: ${stats.succeeded}/${stats.instances} succeeded, ${stats.failed} failed, ${stats.cancelled ?? 0} cancelled, ${stats.retried} retried, ${stats.seconds}s`;
}

function nodeMeta(stats: TaskRecord | undefined, status: string): string {
  if (!stats || (stats.instances === 0 && (status === 'skipped' || status === 'cancelled' || status === 'pending'))) {
    return status === 'pending' ? 'not run' : status;
  }
  return `${stats.succeeded}/${stats.instances} ok${stats.failed ? ` · ${stats.failed} failed` : ''}${stats.cancelled ? ` · ${stats.cancelled} cancelled` : ''} · ${stats.seconds}s`;
}

function dagSvg(run: RecordedRun): string {
  const { nodes, layers, rows } = layoutDag(run.manifest);
  const W = 200;
  const H = 64;
  const GAP_X = 70;
  const GAP_Y = 28;
  const width = layers * (W + GAP_X) + 20;
  const height = rows * (H + GAP_Y) + 20;
  const at = new Map(nodes.map((n) => [n.task, { x: 10 + n.layer * (W + GAP_X), y: 10 + n.row * (H + GAP_Y) }]));
  const parts: string[] = [];
  for (const task of run.manifest.tasks) {
    const to = at.get(task.name);
    for (const up of task.dependsOn) {
      const from = at.get(up);
      if (!from || !to) continue;
      const x1 = from.x + W;
      const y1 = from.y + H / 2;
      const x2 = to.x;
      const y2 = to.y + H / 2;
      parts.push(`<path class="edge" d="M${x1},${y1} C${x1 + GAP_X / 2},${y1} ${x2 - GAP_X / 2},${y2} ${x2},${y2}" marker-end="url(#arrow)"/>`);
    }
  }
  for (const task of run.manifest.tasks) {
    const p = at.get(task.name);
    if (!p) continue;
    const stats = run.summary.tasks?.[task.name];
    const status = nodeStatus(stats);
    const fan = task.fanOut
      ? [
          task.fanOut.foreach ? `foreach ${task.fanOut.foreach}` : '',
          task.fanOut.parallel !== undefined ? `×${task.fanOut.parallel}` : '',
          task.fanOut.concurrency ? `max ${task.fanOut.concurrency}` : '',
        ]
          .filter(Boolean)
          .join(' · ')
      : '';
    if (task.fanOut) parts.push(`<rect class="node stack" x="${p.x + 6}" y="${p.y - 6}" width="${W}" height="${H}" rx="8"/>`);
    parts.push(
      `<g class="task ${escapeHtml(status)}" data-task="${escapeHtml(task.name)}"><title>${escapeHtml(`${task.name}: ${nodeTitle(stats, status)}`)}</title>` +
        `<rect class="node" x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="8"/>` +
        `<text x="${p.x + 12}" y="${p.y + 24}" class="name">${escapeHtml(task.name)}</text>` +
        `<text x="${p.x + 12}" y="${p.y + 44}" class="meta">${escapeHtml(nodeMeta(stats, status))}</text>` +
        (fan ? `<text x="${p.x + 12}" y="${p.y + 58}" class="fan">${escapeHtml(fan)}</text>` : '') +
        `</g>`,
    );
  }
  return `<svg id="dag" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#868e96"/></marker></defs>${parts.join('')}</svg>`;
}

function ganttSvg(run: RecordedRun): { svg: string; shown: number } {
  const attempts = [...run.attempts].sort((a, b) => a.startedAt - b.startedAt).slice(0, MAX_BARS);
  if (attempts.length === 0) return { svg: '<p class="empty">No instance ran.</p>', shown: 0 };
  const start = Math.min(...attempts.map((a) => a.startedAt));
  const end = Math.max(...attempts.map((a) => a.endedAt ?? a.startedAt));
  const span = Math.max(1, end - start);
  const order = run.manifest.tasks.map((t) => t.name);
  const rows: { label: string; attempts: RecordedAttempt[] }[] = [];
  const rowOf = new Map<string, number>();
  const sorted = [...attempts].sort((a, b) => order.indexOf(a.task) - order.indexOf(b.task) || a.startedAt - b.startedAt);
  for (const attempt of sorted) {
    let index = rowOf.get(attempt.key);
    if (index === undefined) {
      index = rows.length;
      rowOf.set(attempt.key, index);
      rows.push({ label: attempt.instance, attempts: [] });
    }
    rows[index]?.attempts.push(attempt);
  }
  const rowHeight = rows.length > 400 ? 3 : rows.length > 100 ? 8 : 18;
  const labelWidth = rowHeight >= 18 ? 200 : 0;
  const width = 1000;
  const plot = width - labelWidth - 40;
  const height = rows.length * rowHeight + 40;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const x = labelWidth + (plot * t) / 4;
    parts.push(
      `<line class="grid" x1="${x}" y1="0" x2="${x}" y2="${height - 20}"/><text class="tick" x="${x}" y="${height - 6}">${((span * t) / 4000).toFixed(2)}s</text>`,
    );
  }
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    if (labelWidth) parts.push(`<text class="label" x="4" y="${y + rowHeight - 5}">${escapeHtml(row.label)}</text>`);
    for (const a of row.attempts) {
      const x = labelWidth + ((a.startedAt - start) / span) * plot;
      const w = Math.max(1, (((a.endedAt ?? end) - a.startedAt) / span) * plot);
      const title = `${a.instance} attempt ${a.attempt}: ${a.status}, ${((a.endedAt ?? end) - a.startedAt) / 1000}s${a.error ? ` — ${a.error.type}: ${a.error.message}` : ''}`;
      parts.push(
        `<rect class="bar ${a.status}" x="${x.toFixed(1)}" y="${y + 1}" width="${w.toFixed(1)}" height="${Math.max(1, rowHeight - 2)}" fill="${STATUS_COLOR[a.status] ?? '#adb5bd'}"><title>${escapeHtml(title)}</title></rect>`,
      );
    }
  });
  return {
    svg: `<svg id="gantt" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`,
    shown: attempts.length,
  };
}

/** What the tasks recorded with ctx.metrics.record: count, sum, min and max per task, metric and unit. */
function metricsTable(tasks: RecordedRun['summary']['tasks']): string {
  const rows = Object.entries(tasks ?? {}).flatMap(([name, t]) => (t.metrics ?? []).map((m) => ({ task: name, ...m })));
  if (rows.length === 0) return '';
  return `<h2>Metrics</h2>
<table id="metrics"><tr><th>task</th><th>metric</th><th>unit</th><th>count</th><th>sum</th><th>min</th><th>max</th></tr>
${rows.map((m) => `<tr><td>${escapeHtml(m.task)}</td><td>${escapeHtml(m.name)}</td><td>${escapeHtml(m.unit)}</td><td>${m.count}</td><td>${m.sum}</td><td>${m.min}</td><td>${m.max}</td></tr>`).join('\n')}
</table>`;
}

/** A self-contained HTML page: the task graph with per-task counts, and a timeline of every attempt. */
export function renderRunReport(runDir: string, warn?: (message: string) => void): string {
  const run = readRecordedRun(runDir, warn);
  const s = run.summary;
  const gantt = ganttSvg(run);
  const took = s.endedAt ? `${((Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000).toFixed(2)} s` : 'still running';
  const statusClass = s.status === 'SUCCEEDED' ? 'ok' : s.status === 'RUNNING' ? 'running' : 'bad';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(`${s.workflow} · run ${s.runId}`)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#212529;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px}
.status{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;font-weight:600}
.status.ok{background:#2f9e44}.status.bad{background:#e03131}.status.running{background:#1c7ed6}
.meta-line{color:#495057} .error{background:#fff5f5;border:1px solid #ffc9c9;padding:8px 12px;border-radius:6px;white-space:pre-wrap}
svg text{font-family:inherit} .node{fill:#eef3ff;stroke:#4263eb;stroke-width:1.5} .stack{fill:#e7ecff;stroke:#748ffc}
.task.failed .node{fill:#fff5f5;stroke:#e03131} .task.pending .node{fill:#f8f9fa;stroke:#adb5bd}
.task.skipped .node{fill:#f8f9fa;stroke:#868e96;stroke-dasharray:5 4} .task.skipped .name{fill:#868e96}
.task.cancelled .node{fill:#fff9db;stroke:#f59f00} .task.tolerated .node{fill:#fff9db;stroke:#fab005}
.name{font-weight:600;font-size:14px} .meta{font-size:12px;fill:#495057} .fan{font-size:11px;fill:#c98a00}
.edge{fill:none;stroke:#868e96;stroke-width:1.5} .grid{stroke:#e9ecef} .tick,.label{font-size:11px;fill:#495057}
table{border-collapse:collapse} td,th{padding:3px 10px;text-align:right;border-bottom:1px solid #e9ecef} td:first-child,th:first-child{text-align:left}
</style></head><body>
<h1>${escapeHtml(s.workflow)} <span class="status ${statusClass}">${escapeHtml(s.status)}</span></h1>
<div class="meta-line">run ${escapeHtml(s.runId)} · started ${escapeHtml(s.startedAt)} · took ${took}${s.resumedFrom ? ` · resumed from ${escapeHtml(s.resumedFrom)}` : ''}</div>
${s.error ? `<p class="error">${escapeHtml(`${s.error.error}: ${s.error.message}`)}</p>` : ''}
${s.onFailureError ? `<p class="error">${escapeHtml(handlerFailureLine(s.onFailureError.error, s.onFailureError.message))}</p>` : ''}
<h2>Task graph</h2>
${dagSvg(run)}
<h2>Tasks</h2>
<table id="tasks"><tr><th>task</th><th>instances</th><th>succeeded</th><th>failed</th><th>cancelled</th><th>retried</th><th>seconds</th><th>status</th></tr>
${Object.entries(s.tasks ?? {})
  .map(
    ([name, t]) =>
      `<tr><td>${escapeHtml(name)}</td><td>${t.instances}</td><td>${t.succeeded}</td><td>${t.failed}</td><td>${t.cancelled ?? 0}</td><td>${t.retried}</td><td>${t.seconds}</td><td>${escapeHtml(t.status ?? '')}</td></tr>`,
  )
  .join('\n')}
</table>
${metricsTable(s.tasks)}
<h2>Timeline</h2>
<div class="meta-line">${gantt.shown} attempt${gantt.shown === 1 ? '' : 's'}${run.attempts.length > gantt.shown ? ` shown of ${run.attempts.length}` : ''}; hover a bar for details.</div>
${gantt.svg}
</body></html>
`;
}
