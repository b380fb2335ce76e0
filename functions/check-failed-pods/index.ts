import { Events } from '../../shared/events/catalog.js';
import { runCheck } from '../../shared/diagnosis/check.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { inspectFailedPods } from './rules.js';

/** Failed and Evicted pods of the target's workload; recommends cleaning them up. */
export default defineFunction({
  name: 'check-failed-pods',
  description: "Lists Failed and Evicted pods of the target's workload and recommends cleanup_failed_pods.",
  on: [Events.DiagnosisRequested],
  emits: [Events.DiagnosisCompleted],
  kube: [
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] }
  ],
  handle: (event, ctx) => runCheck('failed-pods', event, ctx, inspectFailedPods)
}) satisfies FunctionDef;
