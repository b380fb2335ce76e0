import { lastSeen } from './events.js';
import type { Deployment, HorizontalPodAutoscaler, KubeEvent } from './port.js';

/*
 * How many replicas a Deployment scaled to zero had before: the capacity a scale-up restores (DESIGN §5). The first
 * source that is known wins, and the answer says which one it was. Pure: the objects in, the count out.
 */

/** The annotation a workload carries to say how many replicas a scale-up restores (DESIGN §6). */
export const RESTORE_ANNOTATION = 'cortex.dev/restore-replicas';
/** Where `kubectl apply` keeps the manifest it applied. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export type RestoreSource = 'annotation' | 'hpa' | 'last-applied' | 'scaling-event' | 'default';

export interface Restore {
  replicas: number;
  source: RestoreSource;
  /** The source in words, for summaries and the audit trail: `annotation cortex.dev/restore-replicas=3`. */
  detail: string;
}

export interface RestoreInputs {
  deployment: Deployment;
  /** The namespace's HorizontalPodAutoscalers (those that target other workloads are ignored). */
  hpas?: readonly HorizontalPodAutoscaler[];
  /** The Deployment's ScalingReplicaSet events (readScalingEvents; others are ignored). */
  events?: readonly KubeEvent[];
}

/** A positive whole number of replicas written as text, else undefined. */
export function positiveCount(raw: unknown): number | undefined {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{1,4}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 ? n : undefined;
}

/** `spec.replicas` of the manifest `kubectl apply` last applied, when it is a positive number. */
export function lastAppliedReplicas(d: Deployment): number | undefined {
  const raw = d.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!raw) return undefined;
  try {
    const applied = JSON.parse(raw) as { kind?: unknown; spec?: { replicas?: unknown } };
    return applied.kind === undefined || applied.kind === 'Deployment' ? positiveCount(applied.spec?.replicas) : undefined;
  } catch {
    return undefined;
  }
}

/** The smallest minReplicas of the HPAs that target the Deployment (an HPA without one means 1). */
function hpaMinimum(
  d: Deployment,
  hpas: readonly HorizontalPodAutoscaler[]
): { replicas: number; name: string } | undefined {
  const mine = hpas.filter(
    (h) =>
      h.metadata?.namespace === d.metadata?.namespace &&
      h.spec?.scaleTargetRef?.kind === 'Deployment' &&
      h.spec.scaleTargetRef.name === d.metadata?.name
  );
  const counts = mine.map((h) => ({
    replicas: positiveCount(h.spec?.minReplicas ?? 1) ?? 1,
    name: h.metadata?.name ?? '?'
  }));
  return counts.sort((a, b) => a.replicas - b.replicas)[0];
}

const SCALED_TO_ZERO = /^Scaled down replica set (\S+) to 0 from (\d{1,4})$/;

/**
 * The "from N" of the Deployment's latest ScalingReplicaSet event that scaled a replica set to 0, as
 * kube-controller-manager writes it ("Scaled down replica set mcp-tools-5b6dd66888 to 0 from 2"). Events expire
 * after an hour (the API server's `--event-ttl`), so this source is only known for a recent scale to zero.
 *
 * @example
 * scaledDownFrom(deployment, events); // → { replicas: 2, message: 'Scaled down replica set mcp-tools-5b6dd66888 to 0 from 2' }
 */
export function scaledDownFrom(
  d: Deployment,
  events: readonly KubeEvent[]
): { replicas: number; message: string; at: number } | undefined {
  let best: { replicas: number; message: string; at: number } | undefined;
  for (const e of events) {
    if (e.reason !== 'ScalingReplicaSet' || e.involvedObject?.kind !== 'Deployment') continue;
    if (
      e.involvedObject.name !== d.metadata?.name ||
      (e.involvedObject.namespace ?? e.metadata?.namespace) !== d.metadata?.namespace
    )
      continue;
    const m = SCALED_TO_ZERO.exec(e.message?.trim() ?? '');
    const replicas = positiveCount(m?.[2]);
    const at = lastSeen(e) ?? 0;
    if (m && replicas && (!best || at >= best.at)) best = { replicas, message: e.message!.trim(), at };
  }
  return best;
}

/**
 * The replica count to restore, from the first known source: the `cortex.dev/restore-replicas` annotation, the
 * minimum of an HPA that targets the Deployment, `spec.replicas` of its last-applied configuration, the "from N" of its
 * latest scale-to-zero event, else 1.
 *
 * @example
 * restoreReplicas({ deployment: mcpTools }); // → { replicas: 2, source: 'last-applied', detail: 'spec.replicas 2 in its kubectl.kubernetes.io/last-applied-configuration' }
 */
export function restoreReplicas({ deployment: d, hpas = [], events = [] }: RestoreInputs): Restore {
  const annotated = d.metadata?.annotations?.[RESTORE_ANNOTATION];
  const fromAnnotation = positiveCount(annotated);
  if (fromAnnotation)
    return { replicas: fromAnnotation, source: 'annotation', detail: `annotation ${RESTORE_ANNOTATION}=${fromAnnotation}` };
  const hpa = hpaMinimum(d, hpas);
  if (hpa)
    return {
      replicas: hpa.replicas,
      source: 'hpa',
      detail: `minReplicas ${hpa.replicas} of HorizontalPodAutoscaler ${hpa.name}`
    };
  const applied = lastAppliedReplicas(d);
  if (applied)
    return {
      replicas: applied,
      source: 'last-applied',
      detail: `spec.replicas ${applied} in its ${LAST_APPLIED_ANNOTATION}`
    };
  const event = scaledDownFrom(d, events);
  if (event) return { replicas: event.replicas, source: 'scaling-event', detail: `the event "${event.message}"` };
  const ignored = annotated !== undefined ? ` (ignored ${RESTORE_ANNOTATION}="${annotated}")` : '';
  return { replicas: 1, source: 'default', detail: `the default: no earlier replica count is known${ignored}` };
}
