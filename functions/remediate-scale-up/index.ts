import { Events } from '../../shared/events/catalog.js';
import { remediate, type RemediationSpec } from '../../shared/remediation/remediate.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { planScaleUp } from './plan.js';

const spec: RemediationSpec = { name: 'remediate-scale-up', action: 'scale_up', plan: planScaleUp };

/** Restores a Deployment scaled to zero (cortex.dev/restore-replicas or 1), with the guardrails of shared/policy. */
export default defineFunction({
  name: spec.name,
  description: 'Scales an opted-in Deployment that has 0 replicas back up through its scale subresource.',
  on: [Events.RemediationRequested.scale_up],
  emits: [Events.RemediationCompleted],
  kube: [
    // services get: the target is a Service; its selector leads to the Deployment (labels: the opt-in).
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    // Only the scale subresource is writable: this function cannot change images, resources or anything else.
    { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }
  ],
  async handle(event, ctx) {
    return remediate(spec, event.data, ctx);
  }
}) satisfies FunctionDef;
