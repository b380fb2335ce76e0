import { Events } from '../../shared/events/catalog.js';
import { runCheck } from '../../shared/diagnosis/check.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { inspectNetworkPolicies } from './rules.js';

/** NetworkPolicies selecting the target's pods, evaluated against the chat's traffic to the Service's target ports. */
export default defineFunction({
  name: 'check-network-policies',
  description:
    "Evaluates the NetworkPolicies that select the target's pods against the chat's traffic; names a blocking policy.",
  on: [Events.DiagnosisRequested],
  emits: [Events.DiagnosisCompleted],
  kube: [
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list'] }
  ],
  handle: (event, ctx) => runCheck('network-policies', event, ctx, inspectNetworkPolicies)
}) satisfies FunctionDef;
