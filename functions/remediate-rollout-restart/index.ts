import { Events } from '../../shared/events/catalog.js';
import { remediate, type RemediationSpec } from '../../shared/remediation/remediate.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { planRolloutRestart } from './plan.js';

const spec: RemediationSpec = { name: 'remediate-rollout-restart', action: 'rollout_restart', plan: planRolloutRestart };

/** `kubectl rollout restart` for the target's Deployment, unless a rollout is already going on. */
export default defineFunction({
  name: spec.name,
  description: 'Restarts an opted-in Deployment with a rolling update (the restartedAt pod-template annotation).',
  on: [Events.RemediationRequested.rollout_restart],
  emits: [Events.RemediationCompleted],
  kube: [
    // services get: the target is a Service; its selector leads to the Deployment (labels: the opt-in).
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'patch'] }
  ],
  async handle(event, ctx) {
    return remediate(spec, event.data, ctx);
  }
}) satisfies FunctionDef;
