import { Events } from '../../shared/events/catalog.js';
import { runCheck } from '../../shared/diagnosis/check.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { inspectPodLogs } from './rules.js';

/** Current and previous container logs of unhealthy pods, scanned for known error patterns (bounded, untrusted). */
export default defineFunction({
  name: 'check-pod-logs',
  description: "Reads recent and previous-run logs of the target's unhealthy pods and counts known error patterns.",
  on: [Events.DiagnosisRequested],
  emits: [Events.DiagnosisCompleted],
  kube: [
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }
  ],
  handle: (event, ctx) => runCheck('pod-logs', event, ctx, inspectPodLogs)
}) satisfies FunctionDef;
