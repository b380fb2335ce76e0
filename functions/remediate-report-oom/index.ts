import { defineRemediation, TARGET_READS } from '../../shared/remediation/remediate.js';
import { planReportOom } from './plan.js';

/** Reports an OOM-killed container with a suggested memory limit and the commands to apply it; changes nothing. */
export default defineRemediation({
  action: 'report_oom',
  description: 'Builds a manual plan for an OOM-killed container: a suggested memory limit, shown as a diff.',
  // Read-only: the suggested patch is computed locally, not by a server-side dry-run patch (see plan.ts: RBAC
  // cannot limit `patch` to dry runs, and this function must not be able to rewrite Deployments).
  kube: [...TARGET_READS, { apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
  plan: planReportOom
});
