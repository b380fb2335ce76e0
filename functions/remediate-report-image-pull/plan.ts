import { imagePullProblems, type ImagePullProblem } from '../../shared/remediation/pods.js';
import { plural } from '../../shared/remediation/outcome.js';
import type { Plan, Subject } from '../../shared/remediation/remediate.js';
import type { Ctx } from '../../shared/runtime/define-function.js';

/** An image reference split the way a registry sees it: `ghcr.io/x/api:9.9.9` → registry ghcr.io, repository ghcr.io/x/api. */
export function splitImage(image: string): { registry: string; repository: string } {
  const repository = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const first = repository.split('/')[0] ?? '';
  const registry =
    repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
  return { registry, repository };
}

/**
 * A plan for a human whose workload cannot pull an image: which container, which image, how to check the tag and
 * the registry credentials, and how to point the Deployment at a good tag. Nothing is changed: the right tag is
 * not Cortex's to guess. When no container fails to pull now, the problem is gone: noop (pull errors persist while
 * their cause stands, so their absence is a reliable signal).
 */
export async function planReportImagePull(subject: Subject, _request: unknown, { kube }: Ctx): Promise<Plan> {
  const { namespace, name, deployment, selector } = subject;
  const where = `deployment ${namespace}/${name}`;
  const pods = selector ? await kube.listPods(namespace, { labelSelector: selector }) : [];
  const problems = imagePullProblems(pods);
  if (problems.length === 0)
    return {
      kind: 'noop',
      summary: `no container of ${where} is failing to pull its image now (${plural(pods.length, 'pod')})`
    };
  const byContainer = new Map<string, ImagePullProblem[]>();
  for (const p of problems) byContainer.set(p.container, [...(byContainer.get(p.container) ?? []), p]);
  const template = deployment.spec?.template?.spec;
  const secrets = (template?.imagePullSecrets ?? []).map((s) => s.name).filter(Boolean);
  const steps: string[] = [];
  const lines: string[] = [];
  for (const [container, seen] of byContainer) {
    const image =
      [...(template?.containers ?? []), ...(template?.initContainers ?? [])].find((c) => c.name === container)?.image ??
      seen[0]!.image ??
      '<image>';
    const { registry, repository } = splitImage(image);
    const first = seen[0]!;
    lines.push(`container ${container} cannot pull image ${image} (${first.reason} on ${plural(seen.length, 'pod')})`);
    steps.push(
      `See the pull error of container ${container}: kubectl describe pod -n ${namespace} ${first.pod} (Events: Failed to pull image "${image}")${first.message ? `; kubelet says: ${first.message}` : ''}`,
      `Check that the tag exists: docker manifest inspect ${image} (or skopeo inspect docker://${image}); list the tags of ${repository} in ${registry}`,
      secrets.length
        ? `Check the registry credentials for ${registry}: the pod template uses imagePullSecrets ${secrets.join(', ')} (kubectl get secret -n ${namespace} ${secrets.join(' ')}); they must hold a valid login for ${registry}`
        : `If ${registry} is private, the pod template has no imagePullSecrets: kubectl create secret docker-registry <name> -n ${namespace} --docker-server=${registry} ..., then add it to the pod template or the ServiceAccount`,
      `Point the container at a good tag: kubectl set image deployment/${name} -n ${namespace} ${container}=${repository}:<good-tag>`
    );
  }
  steps.push(`Watch the rollout: kubectl rollout status deployment/${name} -n ${namespace}`);
  return {
    kind: 'report',
    summary: `${where}: ${lines.join('; ')}. Cortex cannot pick a good image; a human must`,
    changes: [],
    manualSteps: steps
  };
}
