import { Events } from '../../shared/events/catalog.js';
import { runCheck } from '../../shared/diagnosis/check.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { inspectResourceLimits } from './rules.js';

/** OOMKilled containers against their memory limits and requests; suggests a new limit (a human applies it). */
export default defineFunction({
  name: 'check-resource-limits',
  description: 'Finds OOMKilled containers of the target and suggests a memory limit from the current limit or request.',
  on: [Events.DiagnosisRequested],
  emits: [Events.DiagnosisCompleted],
  kube: [
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] }
  ],
  handle: (event, ctx) => runCheck('resource-limits', event, ctx, inspectResourceLimits)
}) satisfies FunctionDef;
