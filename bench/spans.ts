import { readBody, serve, type Served } from './http.js';
import { quantile } from './measure.js';

/*
 * The pipeline's stages from its spans: a minimal OTLP/HTTP (JSON) receiver the local stack exports to, and the
 * split of one healing's trace into intake, diagnose, plan, remediate, verify and delivery to the relay.
 *
 *   intake     error-intake's span starts → the coordinator starts on healing.requested
 *   diagnose   → the coordinator starts on the last diagnosis.completed before the remediation
 *   plan       → the remediation function starts (the coordinator's decision and its hop)
 *   remediate  → the coordinator starts on remediation.completed
 *   verify     → the coordinator's last span of the healing ends (healing.completed published)
 *   relay      → the relay's span on healing.completed ends
 */

export interface SpanRecord {
  service: string;
  name: string;
  traceId: string;
  start: number;
  end: number;
  eventId: string | undefined;
}

export const STAGES = ['intake', 'diagnose', 'plan', 'remediate', 'verify', 'relay'] as const;
export type Stage = (typeof STAGES)[number];

interface OtlpValue {
  stringValue?: string;
}
interface OtlpSpan {
  traceId: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: { key: string; value: OtlpValue }[];
}
interface OtlpBody {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

const ms = (nanos: string): number => Number(BigInt(nanos) / 1000n) / 1000;

/** An OTLP/HTTP JSON receiver on a free port that keeps every span it gets. */
export async function spanReceiver(): Promise<Served & { spans: SpanRecord[] }> {
  const spans: SpanRecord[] = [];
  const served = await serve((req, res) => {
    void readBody(req).then((text) => {
      const body = JSON.parse(text) as OtlpBody;
      for (const rs of body.resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const s of (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? [])) {
          const id = s.attributes?.find((a) => a.key === 'cloudevents.event_id')?.value.stringValue;
          spans.push({
            service,
            name: s.name,
            traceId: s.traceId,
            start: ms(s.startTimeUnixNano),
            end: ms(s.endTimeUnixNano),
            eventId: id
          });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { ...served, spans };
}

/** The stages of the healing whose error.reported had `reportId`, or undefined when its spans are incomplete. */
export function stagesOf(spans: readonly SpanRecord[], reportId: string): Record<Stage, number> | undefined {
  const intake = spans.find((s) => s.service === 'error-intake' && s.eventId === reportId);
  if (!intake) return undefined;
  const trace = spans.filter((s) => s.traceId === intake.traceId).sort((a, b) => a.start - b.start);
  const coord = (type: string): SpanRecord[] =>
    trace.filter((s) => s.service === 'healing-coordinator' && s.name === `dev.cortex.${type} process`);
  const requested = coord('healing.requested')[0];
  const remediation = trace.find((s) => s.service.startsWith('remediate-'));
  const remediated = coord('remediation.completed')[0];
  const relayed = trace.find((s) => s.service === 'sse-relay' && s.name === 'dev.cortex.healing.completed process');
  if (!requested || !remediation || !remediated || !relayed) return undefined;
  const decided = coord('diagnosis.completed')
    .filter((s) => s.start < remediation.start)
    .at(-1);
  const coordinatorEnd = Math.max(...trace.filter((s) => s.service === 'healing-coordinator').map((s) => s.end));
  if (!decided) return undefined;
  return {
    intake: requested.start - intake.start,
    diagnose: decided.start - requested.start,
    plan: remediation.start - decided.start,
    remediate: remediated.start - remediation.start,
    verify: coordinatorEnd - remediated.start,
    relay: relayed.end - coordinatorEnd
  };
}

/** Per stage, the p50 over the healings whose spans were complete. */
export function stageMedians(all: readonly Record<Stage, number>[]): Record<Stage, number> {
  return Object.fromEntries(
    STAGES.map((s) => [
      s,
      quantile(
        all.map((r) => r[s]),
        0.5
      )
    ])
  ) as Record<Stage, number>;
}
