import { defineRemediation, SUBJECT_READS } from '../../shared/remediation/remediate.js';
import { planRestartPods } from './plan.js';

/** Deletes the target's crashlooping pods (only those, as seen now), with the guardrails of shared/policy. */
export default defineRemediation({
  action: 'restart_pods',
  description: 'Deletes the crashlooping pods of an opted-in workload so its ReplicaSet replaces them.',
  kube: [...SUBJECT_READS, { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] }],
  plan: planRestartPods
});
