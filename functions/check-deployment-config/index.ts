import { Events } from '../../shared/events/catalog.js';
import { runCheck } from '../../shared/diagnosis/check.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { inspectDeploymentConfig } from './rules.js';

/** The Deployment behind the target: replicas, paused, conditions, images, selector match with the Service. */
export default defineFunction({
  name: 'check-deployment-config',
  description: 'Judges the Deployment behind a target: scaled to zero, paused, stuck rollout, selector mismatch.',
  on: [Events.DiagnosisRequested],
  emits: [Events.DiagnosisCompleted],
  kube: [
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['list'] }
  ],
  handle: (event, ctx) => runCheck('deployment-config', event, ctx, inspectDeploymentConfig)
}) satisfies FunctionDef;
