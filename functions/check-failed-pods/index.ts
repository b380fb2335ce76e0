import { defineCheck, TARGET_READS } from '../../shared/diagnosis/check.js';
import { inspectFailedPods } from './rules.js';

/** Failed and Evicted pods of the target's workload; recommends cleaning them up. */
export default defineCheck({
  check: 'failed-pods',
  description: "Lists Failed and Evicted pods of the target's workload and recommends cleanup_failed_pods.",
  kube: [...TARGET_READS, { apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
  inspect: inspectFailedPods
});
