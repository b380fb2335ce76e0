import { defineCheck, TARGET_READS } from '../../shared/diagnosis/check.js';
import { inspectDependencies } from './rules.js';

/** What the troubled pods' evidence points at (an address, a DNS name, a Service name), and whether it is up. */
export default defineCheck({
  check: 'dependencies',
  description:
    'Resolves the Services the target\'s logs and probe messages blame (refused connections, DNS failures, "cannot start without X") and reports whether they have ready endpoints.',
  kube: [
    ...TARGET_READS,
    // The evidence: the troubled pods, their logs, their Warning events.
    { apiGroups: [''], resources: ['pods', 'events'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    // The dependencies: Services by ClusterIP or name, their endpoints; for one at zero, where its count comes from.
    { apiGroups: [''], resources: ['services'], verbs: ['list'] },
    { apiGroups: [''], resources: ['endpoints'], verbs: ['get'] },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] }
  ],
  inspect: inspectDependencies
});
