import { HASH_LABEL, podTemplateHash } from '../controllers/template-hash.js';
import { type Deployment, type KubeObject, type Service } from '../types.js';
import { DEPENDS_ON_ANNOTATION, type DependencyState, parseDependsOn, resolveDependency } from './dependencies.js';
import { type PodFault } from './faults.js';

/*
 * The Deployment annotations that shape how its pods behave besides `sim.cortex.dev/fault`:
 *   sim.cortex.dev/depends-on=<service>[:<port>][,…]   the app needs those Services (see dependencies.ts);
 *   sim.cortex.dev/fault-on-new-template=<fault>       a bad rollout: pods of any template other than the one the
 *                                                      Deployment had when the annotation was set get <fault>
 *                                                      (crashloop, image-pull or not-ready); pods of that template
 *                                                      stay healthy, so `kubectl rollout undo` back to it heals;
 *   sim.cortex.dev/log-line=<text>                     lines the app writes at each start and each crash (`\n`
 *                                                      separates lines, `\\` is a backslash).
 */

export const TEMPLATE_FAULT_ANNOTATION = 'sim.cortex.dev/fault-on-new-template';
export const LOG_LINE_ANNOTATION = 'sim.cortex.dev/log-line';

export const TEMPLATE_FAULTS = ['crashloop', 'image-pull', 'not-ready'] as const;
export type TemplateFault = (typeof TEMPLATE_FAULTS)[number];

const TEMPLATE_EFFECT: Record<TemplateFault, PodFault> = {
  crashloop: { crash: 'error' },
  'image-pull': { imagePull: true },
  'not-ready': { notReady: true }
};

const isTemplateFault = (v: unknown): v is TemplateFault =>
  typeof v === 'string' && (TEMPLATE_FAULTS as readonly string[]).includes(v);

/**
 * The log lines an annotation value stands for: `\n` (or a real line break) separates lines, `\t` is a tab and
 * `\\` a backslash.
 *
 * @example
 * plantedLines('password=hunter2\\nAuthorization: Bearer abc'); // → ['password=hunter2', 'Authorization: Bearer abc']
 */
export function plantedLines(value: string | undefined): string[] {
  if (!value) return [];
  const text = value.replace(/\\([\\nt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Two effects on one pod as one: the first crash wins, every other effect adds up. */
export function combineFaults(a: PodFault, b: PodFault): PodFault {
  const out: PodFault = { ...b, ...a };
  const crash = a.crash ?? b.crash;
  if (crash) out.crash = crash;
  if (a.imagePull || b.imagePull) out.imagePull = true;
  if (a.notReady || b.notReady) out.notReady = true;
  if (a.staleEndpoints || b.staleEndpoints) out.staleEndpoints = true;
  const logLines = [...(a.logLines ?? []), ...(b.logLines ?? [])];
  if (logLines.length) out.logLines = logLines;
  return out;
}

interface WorkloadState {
  dependencies: DependencyState[];
  logLines: string[];
  templateFault?: TemplateFault;
}

export class WorkloadEffects {
  private readonly workloads = new Map<string, WorkloadState>();
  /** deployment uid → the pod-template-hash its template had when fault-on-new-template was set. */
  private readonly originalTemplate = new Map<string, string>();
  /** Annotation values that mean nothing, reported once per deployment, annotation and value. */
  private readonly warned = new Set<string>();

  /** Reads the annotations and where each dependency stands; `onInvalid` hears of values that mean nothing. */
  observe(
    deployments: Deployment[],
    services: Service[],
    endpoints: KubeObject[],
    onInvalid?: (d: KubeObject, annotation: string, value: string) => void
  ): void {
    const seen = new Set<string>();
    const warn = (d: KubeObject, annotation: string, value: string): void => {
      const key = `${d.metadata.uid}/${annotation}/${value}`;
      if (this.warned.has(key)) return;
      this.warned.add(key);
      onInvalid?.(d, annotation, value);
    };
    for (const d of deployments) {
      const uid = d.metadata.uid;
      seen.add(uid);
      const annotations = d.metadata.annotations ?? {};
      const { refs, invalid } = parseDependsOn(annotations[DEPENDS_ON_ANNOTATION], d.metadata.namespace ?? 'default');
      for (const value of invalid) warn(d, DEPENDS_ON_ANNOTATION, value);
      const raw = annotations[TEMPLATE_FAULT_ANNOTATION]?.trim();
      const templateFault = isTemplateFault(raw) ? raw : undefined;
      if (raw && !templateFault) warn(d, TEMPLATE_FAULT_ANNOTATION, raw);
      if (!templateFault) this.originalTemplate.delete(uid);
      else if (!this.originalTemplate.has(uid)) this.originalTemplate.set(uid, podTemplateHash(d.spec.template));
      this.workloads.set(uid, {
        dependencies: refs.map((r) => resolveDependency(r, services, endpoints)),
        logLines: plantedLines(annotations[LOG_LINE_ANNOTATION]),
        ...(templateFault ? { templateFault } : {})
      });
    }
    for (const uid of [...this.workloads.keys()]) {
      if (seen.has(uid)) continue;
      this.workloads.delete(uid);
      this.originalTemplate.delete(uid);
    }
  }

  /** The effect on one pod of its Deployment's annotations (empty for a pod of no Deployment). */
  forPod(pod: KubeObject, deploymentUid: string | undefined): PodFault {
    const w = deploymentUid ? this.workloads.get(deploymentUid) : undefined;
    if (!w) return {};
    let out: PodFault = {};
    if (w.dependencies.length) {
      out.dependencies = w.dependencies;
      if (w.dependencies.some((d) => d.error)) out.crash = 'dependency';
    }
    if (w.logLines.length) out.logLines = w.logLines;
    const original = this.originalTemplate.get(deploymentUid!);
    if (w.templateFault && pod.metadata.labels?.[HASH_LABEL] !== original)
      out = combineFaults(out, TEMPLATE_EFFECT[w.templateFault]);
    return out;
  }
}
