import { CloudEvent } from 'cloudevents';
import { Events } from '../../shared/events/catalog.js';
import type { EventDef } from '../../shared/events/define.js';
import type { z } from 'zod';

type In<D extends EventDef> = z.input<D['data']>;

/** Data builders for the events the coordinator emits about one healing, as the relay and the page receive them. */

export const demoTarget = { namespace: 'demo', service: 'mcp-demo' };

export const started = (healingId: string, sessionIds: string[]): In<typeof Events.HealingStarted> => ({
  healingId,
  target: demoTarget,
  reason: 'mcp_unreachable: connect ECONNREFUSED 10.96.0.10:80',
  checks: ['pod-status', 'deployment-config'],
  sessionIds
});

export const progress = (healingId: string, extra: Record<string, unknown> = {}): In<typeof Events.HealingProgress> => ({
  healingId,
  stage: 'diagnose',
  message: 'deployment-config: Deployment mcp-demo is scaled to zero (0/0 replicas)',
  done: 1,
  total: 2,
  target: demoTarget,
  check: 'deployment-config',
  verdict: 'problem',
  ...extra
});

export const completed = (healingId: string, sessionIds: string[]): In<typeof Events.HealingCompleted> => ({
  healingId,
  target: demoTarget,
  actions: ['scale_up'],
  durationMs: 4200,
  summary: 'mcp-demo is healthy again: scaled demo/mcp-demo from 0 to 1 replica',
  sessionIds
});

export const failed = (healingId: string, sessionIds: string[]): In<typeof Events.HealingFailed> => ({
  healingId,
  target: demoTarget,
  reasonCode: 'manual',
  reason: 'report_image_pull manual: image ghcr.io/example/mcp-demo:nope cannot be pulled',
  findings: [{ check: 'pod-status', verdict: 'problem', summary: 'ImagePullBackOff' }],
  manualSteps: ['Fix the image reference of deployment/mcp-demo', 'kubectl rollout status -n demo deployment/mcp-demo'],
  sessionIds
});

export const delayed = (sessionId: string): In<typeof Events.ChatDelayed> => ({
  sessionId,
  reason: 'Claude is overloaded; retrying',
  attempt: 1,
  retryInMs: 2000
});

let n = 0;

/** A CloudEvent of a catalog type, as the Broker would deliver it. */
export function cloudEvent(
  def: EventDef,
  data: unknown,
  extensions: Record<string, string> = {},
  id = `ce-${++n}-${Math.random().toString(36).slice(2, 8)}`
): CloudEvent<unknown> {
  return new CloudEvent<unknown>(
    {
      specversion: '1.0',
      id,
      source: '/cortex/healing-coordinator',
      type: def.type,
      time: '2026-11-27T10:00:00.000Z',
      datacontenttype: 'application/json',
      data,
      ...extensions
    },
    false
  );
}

export { Events };
