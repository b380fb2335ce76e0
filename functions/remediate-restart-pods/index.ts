import { defineRemediation } from '../../shared/remediation/remediate.js';
import { planRestartPods } from './plan.js';

/** Deletes the target's crashlooping pods (only those, as seen now), with the guardrails of shared/policy. */
export default defineRemediation({
  action: 'restart_pods',
  description: 'Deletes the crashlooping pods of an opted-in workload so its ReplicaSet replaces them.',
  kube: [
    // services get: the target is a Service; its selector leads to the Deployment (labels: the opt-in).
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] }
  ],
  plan: planRestartPods
});
