import { defineCheck } from '../../shared/diagnosis/check.js';
import { inspectServiceEndpoints } from './rules.js';

/** The target Service, the pods its selector matches and its ready endpoints; in verify, waits for endpoints. */
export default defineCheck({
  check: 'service-endpoints',
  description:
    'Checks that the target Service exists, selects pods, and has ready endpoints (Endpoints and EndpointSlices).',
  kube: [
    { apiGroups: [''], resources: ['services', 'endpoints'], verbs: ['get'] },
    // watch: in verify, a change wakes the wait at once.
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }
  ],
  inspect: inspectServiceEndpoints
});
