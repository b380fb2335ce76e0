import { defineRemediation } from '../../shared/remediation/remediate.js';
import { RECORD_READS } from '../../shared/remediation/record.js';
import { planRolloutRestart } from './plan.js';

/** `kubectl rollout restart` for the target's Deployment, unless a rollout is already going on. */
export default defineRemediation({
  action: 'rollout_restart',
  description: 'Restarts an opted-in Deployment with a rolling update (the restartedAt pod-template annotation).',
  kube: [
    // services get: the target is a Service; its selector leads to the Deployment (labels: the opt-in), which the
    // restart patches (get and list as SUBJECT_READS: the Deployment of the Service's name, else the namespace's).
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'patch'] },
    // endpoints get: the record of what the Service had before the action (verification compares with it).
    ...RECORD_READS
  ],
  plan: planRolloutRestart
});
