import { Events } from '../../shared/events/catalog.js';
import { remediate, type RemediationSpec } from '../../shared/remediation/remediate.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { planReportImagePull } from './plan.js';

const spec: RemediationSpec = {
  name: 'remediate-report-image-pull',
  action: 'report_image_pull',
  readOnly: true,
  plan: planReportImagePull
};

/** Reports an image pull failure with the image, the container and the steps to fix it; changes nothing. */
export default defineFunction({
  name: spec.name,
  description: 'Builds a manual plan for a container that cannot pull its image (tag, credentials, kubectl set image).',
  on: [Events.RemediationRequested.report_image_pull],
  emits: [Events.RemediationCompleted],
  // Read-only: it reads the pull errors and the pod template, and tells a human what to change.
  kube: [
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] }
  ],
  async handle(event, ctx) {
    return remediate(spec, event.data, ctx);
  }
}) satisfies FunctionDef;
