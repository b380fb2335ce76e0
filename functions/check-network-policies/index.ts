import { defineCheck, TARGET_READS } from '../../shared/diagnosis/check.js';
import { inspectNetworkPolicies } from './rules.js';

/** NetworkPolicies selecting the target's pods, evaluated against the chat's traffic to the Service's target ports. */
export default defineCheck({
  check: 'network-policies',
  description:
    "Evaluates the NetworkPolicies that select the target's pods against the chat's traffic; names a blocking policy.",
  kube: [
    ...TARGET_READS,
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list'] }
  ],
  inspect: inspectNetworkPolicies
});
