/** The run report (SPEC §3): JSON and Markdown, built from the run view and its event log. */
import type { ArtifactView } from '../agent/conversation.js';
import type { RunEventView, RunReport, RunView } from './views.js';

export function buildReport(run: RunView, events: RunEventView[], artifacts: ArtifactView[] = []): RunReport {
  return { run, events: events.slice(-50), artifacts, markdown: renderMarkdown(run, events.slice(-20), artifacts) };
}

function renderMarkdown(run: RunView, lastEvents: RunEventView[], artifacts: ArtifactView[]): string {
  const lines: string[] = [];
  lines.push(`# Run ${run.id}`, '');
  lines.push(`- **Automation:** ${run.automation} (version ${run.version})`);
  lines.push(`- **Status:** ${run.status}${run.skip_reason ? ` (${run.skip_reason})` : ''}`);
  lines.push(`- **Trigger:** ${run.trigger_id} (${run.trigger_kind})`);
  lines.push(`- **Queued:** ${run.queued_at}; **started:** ${run.started_at ?? '-'}; **ended:** ${run.ended_at ?? '-'}`);
  lines.push(`- **Cost:** $${run.cost_usd.toFixed(4)}, ${run.tokens} tokens`);
  if (run.error) lines.push(`- **Error:** \`${run.error.code}\` ${run.error.message}${run.error.step_id ? ` (step ${run.error.step_id})` : ''}`);
  lines.push('', '## Steps', '', '| step | action | status | attempts | duration | error |', '|---|---|---|---|---|---|');
  for (const s of run.steps ?? []) {
    const duration = s.duration_ms === null ? '-' : `${s.duration_ms} ms`;
    const error = s.error ? `${s.error.code}: ${escapeCell(s.error.message)}` : '';
    const role = s.on_failure ? ' (on_failure)' : s.planned_by !== null ? ` (planned by ${s.planned_by})` : s.plans ? ' (plans)' : '';
    lines.push(`| ${s.id}${role} | ${s.action} | ${s.status} | ${s.attempt} | ${duration} | ${error} |`);
  }
  if (artifacts.length > 0) {
    lines.push('', '## Artifacts', '', '| step | kind | valid | sha256 | bytes | errors |', '|---|---|---|---|---|---|');
    for (const a of artifacts) {
      const errors = Array.isArray(a.errors) ? (a.errors as { path: string; message: string }[]).slice(0, 5).map((e) => `${e.path} ${e.message}`).join('; ') : '';
      lines.push(`| ${a.step_id} | ${a.kind} | ${a.valid ? 'yes' : 'no'} | \`${a.sha256}\` | ${a.size_bytes} | ${escapeCell(errors)} |`);
    }
  }
  lines.push('', '## Last events', '');
  for (const e of lastEvents) lines.push(`- ${e.created_at} #${e.seq} \`${e.type}\`${e.step_id ? ` ${e.step_id}` : ''}`);
  lines.push('');
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 200);
}
