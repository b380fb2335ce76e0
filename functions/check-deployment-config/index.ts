import { defineCheck, TARGET_READS } from '../../shared/diagnosis/check.js';
import { inspectDeploymentConfig } from './rules.js';

/** The Deployment behind the target: replicas, paused, conditions, images, selector match with the Service. */
export default defineCheck({
  check: 'deployment-config',
  description: 'Judges the Deployment behind a target: scaled to zero, paused, stuck rollout, selector mismatch.',
  kube: [
    ...TARGET_READS,
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
    // Where a scale-up's replica count comes from: an HPA's minimum, the "from N" of the last scale to zero.
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
    { apiGroups: [''], resources: ['events'], verbs: ['list'] }
  ],
  inspect: inspectDeploymentConfig
});
