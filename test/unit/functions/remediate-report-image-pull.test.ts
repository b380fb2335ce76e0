import { describe, expect, it } from 'vitest';
import reportImagePull from '../../../functions/remediate-report-image-pull/index.js';
import { splitImage } from '../../../functions/remediate-report-image-pull/plan.js';
import { cluster, deployment, pod, pullingFails, runRemediation } from '../../helpers/remediation-cluster.js';

const BAD = 'ghcr.io/cortex-demo/api:9.9.9';

describe('Function: remediate-report-image-pull', () => {
  it('changes nothing and names the image and container, with steps for tag, credentials and kubectl set image', async () => {
    // Prepare
    const kube = cluster(deployment({ containers: [{ name: 'server', image: BAD }], imagePullSecrets: ['ghcr-login'] }), [
      pod('api-1', { containers: [pullingFails('server', BAD)] }),
      pod('api-2', { containers: [pullingFails('server', BAD)] })
    ]);
    // Act
    const out = await runRemediation(reportImagePull, 'report_image_pull', kube);
    // Assess
    expect(out.outcome).toBe('manual');
    expect(kube.writes).toEqual([]);
    expect(out.changes).toEqual([]);
    expect(out.summary).toBe(
      `deployment demo/api: container server cannot pull image ${BAD} (ImagePullBackOff on 2 pods). Cortex cannot pick a good image; a human must`
    );
    expect(out.manualSteps).toEqual([
      `See the pull error of container server: kubectl describe pod -n demo api-1 (Events: Failed to pull image "${BAD}"); kubelet says: Back-off pulling image "${BAD}"`,
      `Check that the tag exists: docker manifest inspect ${BAD} (or skopeo inspect docker://${BAD}); list the tags of ghcr.io/cortex-demo/api in ghcr.io`,
      'Check the registry credentials for ghcr.io: the pod template uses imagePullSecrets ghcr-login (kubectl get secret -n demo ghcr-login); they must hold a valid login for ghcr.io',
      'Point the container at a good tag: kubectl set image deployment/api -n demo server=ghcr.io/cortex-demo/api:<good-tag>',
      'Watch the rollout: kubectl rollout status deployment/api -n demo'
    ]);
  });

  it('explains how to add credentials when the pod template has no imagePullSecrets', async () => {
    // Prepare
    const kube = cluster(deployment({ containers: [{ name: 'server', image: BAD }] }), [
      pod('api-1', { containers: [pullingFails('server', BAD)] })
    ]);
    // Act
    const out = await runRemediation(reportImagePull, 'report_image_pull', kube);
    // Assess
    expect(out.manualSteps[2]).toMatch(
      /^If ghcr.io is private, the pod template has no imagePullSecrets: kubectl create secret docker-registry/
    );
  });

  it('is a noop when no container fails to pull any more', async () => {
    // Prepare
    const kube = cluster(deployment(), [pod('api-1')]);
    // Act
    const out = await runRemediation(reportImagePull, 'report_image_pull', kube, { params: { image: BAD } });
    // Assess
    expect(out.outcome).toBe('noop');
    expect(out.summary).toBe('no container of deployment demo/api is failing to pull its image now (1 pod)');
  });

  it('in dry-run mode is the same manual report (it never writes)', async () => {
    // Prepare
    const kube = cluster(deployment({ containers: [{ name: 'server', image: BAD }] }), [
      pod('api-1', { containers: [pullingFails('server', BAD)] })
    ]);
    // Act
    const out = await runRemediation(reportImagePull, 'report_image_pull', kube, { dryRun: true });
    // Assess
    expect(out).toMatchObject({ outcome: 'manual', audit: { mode: 'dry-run' } });
    expect(kube.writes).toEqual([]);
  });

  it.each([
    ['ghcr.io/cortex-demo/api:9.9.9', 'ghcr.io', 'ghcr.io/cortex-demo/api'],
    ['nginx:1.27', 'docker.io', 'nginx'],
    ['library/nginx', 'docker.io', 'library/nginx'],
    ['localhost:5000/api:dev', 'localhost:5000', 'localhost:5000/api'],
    ['registry.local/team/api@sha256:abc', 'registry.local', 'registry.local/team/api'],
    ['localhost/api', 'localhost', 'localhost/api']
  ])('splitImage(%s) → registry %s, repository %s', (image, registry, repository) => {
    // Act
    const result = splitImage(image);
    // Assess
    expect(result).toEqual({ registry, repository });
  });
});
