import { Events } from '../../shared/events/catalog.js';
import { runCheck } from '../../shared/diagnosis/check.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { inspectPodStatus } from './rules.js';

/** Phases, waiting/terminated reasons, restarts and readiness of the target's pods; in verify, waits for Ready. */
export default defineFunction({
  name: 'check-pod-status',
  description: 'Reads the pods behind a target and judges their state: crash loops, image pulls, OOM kills, readiness.',
  on: [Events.DiagnosisRequested],
  emits: [Events.DiagnosisCompleted],
  kube: [
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] }
  ],
  handle: (event, ctx) => runCheck('pod-status', event, ctx, inspectPodStatus)
}) satisfies FunctionDef;
