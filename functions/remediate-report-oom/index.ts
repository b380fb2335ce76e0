import { Events } from '../../shared/events/catalog.js';
import { remediate, type RemediationSpec } from '../../shared/remediation/remediate.js';
import { defineFunction, type FunctionDef } from '../../shared/runtime/define-function.js';
import { planReportOom } from './plan.js';

const spec: RemediationSpec = { name: 'remediate-report-oom', action: 'report_oom', readOnly: true, plan: planReportOom };

/** Reports an OOM-killed container with a suggested memory limit and the commands to apply it; changes nothing. */
export default defineFunction({
  name: spec.name,
  description: 'Builds a manual plan for an OOM-killed container: a suggested memory limit, shown as a diff.',
  on: [Events.RemediationRequested.report_oom],
  emits: [Events.RemediationCompleted],
  // Read-only: the suggested patch is computed locally, not by a server-side dry-run patch (see plan.ts: RBAC
  // cannot limit `patch` to dry runs, and this function must not be able to rewrite Deployments).
  kube: [
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] }
  ],
  async handle(event, ctx) {
    return remediate(spec, event.data, ctx);
  }
}) satisfies FunctionDef;
