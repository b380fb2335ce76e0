import { defineRemediation, TARGET_READS } from '../../shared/remediation/remediate.js';
import { planRollback } from './plan.js';

/**
 * Undoes a fix that made things worse (DESIGN §12): a rollout restart goes back to the previous ReplicaSet's template
 * (read from the cluster by revision, as `kubectl rollout undo`), a scale goes back to the previous replica count; a
 * pod deletion cannot be undone and is reported for a human.
 */
export default defineRemediation({
  action: 'rollback',
  description:
    'Undoes a remediation that made things worse: back to the previous ReplicaSet template by revision, or the previous replica count.',
  kube: [
    ...TARGET_READS,
    // The template to go back to is read from the ReplicaSet of the named revision, never taken from the request.
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
    { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }
  ],
  plan: planRollback
});
