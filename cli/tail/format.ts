import type { CloudEventRecord } from '../../shared/events/http.js';

/*
 * One human-readable line per CloudEvent for `cortex tail`: time, short type, target, healing, and the few fields
 * that say what happened. The whole event is what `--save` records; this line is for reading.
 */

type Data = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
const list = (v: unknown): string => (Array.isArray(v) ? v.map(str).join(',') : str(v));
const clip = (s: string, n = 140): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

function essentials(type: string, d: Data): string {
  switch (type) {
    case 'error.reported':
      return `${str(d.category)} from ${str(d.component)}${d.sessionId ? ` session=${str(d.sessionId)}` : ''}: ${clip(str(d.message))}`;
    case 'healing.requested':
      return `${str(d.category)} reports=${Array.isArray(d.reportIds) ? d.reportIds.length : 0} sessions=${Array.isArray(d.sessionIds) ? d.sessionIds.length : 0}`;
    case 'healing.started':
      return `${Array.isArray(d.checks) ? d.checks.length : 0} checks: ${clip(str(d.reason))}`;
    case 'diagnosis.requested':
    case 'verification.requested':
      return `${str(d.phase)}: ${list(d.checks)}`;
    case 'diagnosis.completed':
      return `${str(d.phase)} ${str(d.check)} ${str(d.verdict).toUpperCase()}: ${clip(str(d.summary))}${d.recommendation ? ` → ${str((d.recommendation as Data).action)}` : ''}`;
    case 'healing.progress':
      return `${str(d.stage)} ${str(d.done)}/${str(d.total)}: ${clip(str(d.message))}`;
    case 'remediation.completed':
      return `${str(d.action)} ${str(d.outcome).toUpperCase()}: ${clip(str(d.summary))}`;
    case 'healing.completed':
      return `HEALED in ${(Number(d.durationMs) / 1000).toFixed(1)} s actions=${list(d.actions) || 'none'}: ${clip(str(d.summary))}`;
    case 'healing.failed':
      return `FAILED: ${clip(str(d.reason))}${Array.isArray(d.manualSteps) && d.manualSteps.length ? ` (${d.manualSteps.length} manual steps)` : ''}`;
    case 'chat.delayed':
      return `session=${str(d.sessionId)} attempt ${str(d.attempt)}, retry in ${str(d.retryInMs)} ms: ${clip(str(d.reason))}`;
    default:
      if (type.startsWith('remediation.') && type.endsWith('.requested'))
        return `${d.dryRun ? 'dry-run ' : ''}params=${JSON.stringify(d.params ?? {})}`;
      return clip(JSON.stringify(d));
  }
}

/**
 * @example
 * formatEvent(event); // → "10:00:01.250  healing.completed     demo/mcp-demo  h=5kq2…  HEALED in 3.2 s actions=scale_up: …"
 */
export function formatEvent(event: CloudEventRecord): string {
  const time =
    typeof event.time === 'string' && event.time.length >= 19 ? event.time.slice(11, 23).replace(/Z$/, '') : '--:--:--.---';
  const type = event.type.replace(/^dev\.(cortex|knative)\./, '');
  const d = (event.data !== null && typeof event.data === 'object' ? event.data : {}) as Data;
  const t = d.target as { namespace?: string; service?: string } | undefined;
  const target = t?.namespace && t.service ? `${t.namespace}/${t.service}` : '-';
  const healing = typeof d.healingId === 'string' ? `h=${d.healingId.slice(0, 10)}` : '';
  const dead =
    event.knativeerrordest !== undefined
      ? `DEAD LETTER (${str(event.knativeerrorcode) || 'no answer'} from ${str(event.knativeerrordest)}) `
      : '';
  return [time.padEnd(12), type.padEnd(28), target.padEnd(20), healing.padEnd(12), dead + essentials(type, d)]
    .join(' ')
    .trimEnd();
}
