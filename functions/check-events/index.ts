import { defineCheck, TARGET_READS } from '../../shared/diagnosis/check.js';
import { inspectEvents } from './rules.js';

/** Recent Warning events of the target's Deployment, ReplicaSets, Pods and Service, grouped by reason. */
export default defineCheck({
  check: 'events',
  description: "Groups the last 15 minutes of Warning events about the target's objects by reason, with counts.",
  kube: [...TARGET_READS, { apiGroups: [''], resources: ['events'], verbs: ['list'] }],
  inspect: inspectEvents
});
