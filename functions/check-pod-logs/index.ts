import { defineCheck, TARGET_READS } from '../../shared/diagnosis/check.js';
import { inspectPodLogs } from './rules.js';

/** Current and previous container logs of unhealthy pods, scanned for known error patterns (bounded, untrusted). */
export default defineCheck({
  check: 'pod-logs',
  description: "Reads recent and previous-run logs of the target's unhealthy pods and counts known error patterns.",
  kube: [
    ...TARGET_READS,
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }
  ],
  inspect: inspectPodLogs
});
