import { Events } from '../../shared/events/catalog.js';
import { runCheck } from '../../shared/diagnosis/check.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { inspectServiceEndpoints } from './rules.js';

/** The target Service, the pods its selector matches and its ready endpoints; in verify, waits for endpoints. */
export default defineFunction({
  name: 'check-service-endpoints',
  description:
    'Checks that the target Service exists, selects pods, and has ready endpoints (Endpoints and EndpointSlices).',
  on: [Events.DiagnosisRequested],
  emits: [Events.DiagnosisCompleted],
  kube: [
    { apiGroups: [''], resources: ['services', 'endpoints'], verbs: ['get'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] }
  ],
  handle: (event, ctx) => runCheck('service-endpoints', event, ctx, inspectServiceEndpoints)
}) satisfies FunctionDef;
