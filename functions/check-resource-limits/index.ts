import { defineCheck, TARGET_READS } from '../../shared/diagnosis/check.js';
import { inspectResourceLimits } from './rules.js';

/** OOMKilled containers against their memory limits and requests; suggests a new limit (a human applies it). */
export default defineCheck({
  check: 'resource-limits',
  description: 'Finds OOMKilled containers of the target and suggests a memory limit from the current limit or request.',
  kube: [...TARGET_READS, { apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
  inspect: inspectResourceLimits
});
