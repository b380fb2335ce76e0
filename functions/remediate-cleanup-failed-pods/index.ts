import { defineRemediation, TARGET_READS } from '../../shared/remediation/remediate.js';
import { RECORD_READS } from '../../shared/remediation/record.js';
import { planCleanupFailedPods } from './plan.js';

/** Deletes the target's Failed (e.g. Evicted) pods, only those, with the guardrails of shared/policy. */
export default defineRemediation({
  action: 'cleanup_failed_pods',
  description: 'Deletes the pods in phase Failed (Evicted included) of an opted-in workload.',
  kube: [
    ...TARGET_READS,
    // endpoints get: the record of what the Service had before the action (verification compares with it).
    ...RECORD_READS,
    // Failed pods are out of every PodDisruptionBudget's count already: deleting them disrupts nothing.
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] }
  ],
  plan: planCleanupFailedPods
});
