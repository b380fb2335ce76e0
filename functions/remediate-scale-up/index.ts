import { defineRemediation, TARGET_READS } from '../../shared/remediation/remediate.js';
import { RECORD_READS } from '../../shared/remediation/record.js';
import { planScaleUp } from './plan.js';

/** Restores a Deployment scaled to zero (cortex.dev/restore-replicas or 1), with the guardrails of shared/policy. */
export default defineRemediation({
  action: 'scale_up',
  description: 'Scales an opted-in Deployment that has 0 replicas back up through its scale subresource.',
  kube: [
    ...TARGET_READS,
    // endpoints get: the record of what the Service had before the action (verification compares with it).
    ...RECORD_READS,
    // Only the scale subresource is writable: this function cannot change images, resources or anything else.
    { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }
  ],
  plan: planScaleUp
});
