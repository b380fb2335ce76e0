import { defineRemediation, TARGET_READS } from '../../shared/remediation/remediate.js';
import { RECORD_READS } from '../../shared/remediation/record.js';
import { planRolloutRestart } from './plan.js';

/** `kubectl rollout restart` for the target's Deployment, unless a rollout is already going on. */
export default defineRemediation({
  action: 'rollout_restart',
  description: 'Restarts an opted-in Deployment with a rolling update (the restartedAt pod-template annotation).',
  kube: [
    // The target Service and the Deployment it selects (labels: the opt-in), which the restart patches.
    ...TARGET_READS,
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
    // endpoints get: the record of what the Service had before the action (verification compares with it).
    ...RECORD_READS
  ],
  plan: planRolloutRestart
});
