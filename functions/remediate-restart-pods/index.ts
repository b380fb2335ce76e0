import { defineRemediation, TARGET_READS } from '../../shared/remediation/remediate.js';
import { RECORD_READS } from '../../shared/remediation/record.js';
import { planRestartPods } from './plan.js';

/** Evicts the target's crashlooping pods (only those, as seen now), with the guardrails of shared/policy. */
export default defineRemediation({
  action: 'restart_pods',
  description:
    'Evicts the crashlooping pods of an opted-in workload, one at a time and within its PodDisruptionBudget, so its ReplicaSet replaces them.',
  kube: [
    ...TARGET_READS,
    // endpoints get: the record of what the Service had before the action (verification compares with it).
    ...RECORD_READS,
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    // Evictions, never deletes: the workload's PodDisruptionBudget decides each one.
    { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
    // list and watch: a restart that spent the budget on its first pod waits on a watch of the budgets for the next.
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list', 'watch'] }
  ],
  plan: planRestartPods
});
