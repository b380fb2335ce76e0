import { defineCheck, TARGET_READS } from '../../shared/diagnosis/check.js';
import { inspectPodStatus } from './rules.js';

/** Phases, waiting/terminated reasons, restarts and readiness of the target's pods; in verify, waits for Ready. */
export default defineCheck({
  check: 'pod-status',
  description: 'Reads the pods behind a target and judges their state: crash loops, image pulls, OOM kills, readiness.',
  // watch: in verify, a pod changing wakes the wait at once.
  kube: [...TARGET_READS, { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }],
  inspect: inspectPodStatus
});
