import { Events } from '../../shared/events/catalog.js';
import { runCheck } from '../../shared/diagnosis/check.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { inspectEvents } from './rules.js';

/** Recent Warning events of the target's Deployment, ReplicaSets, Pods and Service, grouped by reason. */
export default defineFunction({
  name: 'check-events',
  description: "Groups the last 15 minutes of Warning events about the target's objects by reason, with counts.",
  on: [Events.DiagnosisRequested],
  emits: [Events.DiagnosisCompleted],
  kube: [
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['events'], verbs: ['list'] }
  ],
  handle: (event, ctx) => runCheck('events', event, ctx, inspectEvents)
}) satisfies FunctionDef;
