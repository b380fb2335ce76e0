import { defineRemediation, TARGET_READS } from '../../shared/remediation/remediate.js';
import { planReportImagePull } from './plan.js';

/** Reports an image pull failure with the image, the container and the steps to fix it; changes nothing. */
export default defineRemediation({
  action: 'report_image_pull',
  description: 'Builds a manual plan for a container that cannot pull its image (tag, credentials, kubectl set image).',
  // Read-only: it reads the pull errors and the pod template, and tells a human what to change.
  kube: [...TARGET_READS, { apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
  plan: planReportImagePull
});
