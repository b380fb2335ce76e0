import { describe, expect, it } from 'vitest';
import { diffLine, formatApproval } from '../../../cli/commands/approvals.js';
import { loadConfig } from '../../../shared/runtime/config.js';
import { runCli } from '../../helpers/cli.js';

/*
 * The operator's approval commands: what they print and what they refuse before reaching the approvals service
 * (their run against a real stack is test/e2e/healing/approvals.test.ts).
 */

const config = () => loadConfig({ CORTEX_STATE_DIR: '/nonexistent-cortex-state' });

describe('cortex approvals / approve / deny', () => {
  it('prints a request with its diff, one operation per line', () => {
    // Act
    const text = formatApproval({
      approvalId: 'h-1:approval:1',
      healingId: 'h-1',
      target: { namespace: 'demo', service: 'api' },
      action: 'scale_up',
      object: 'deployments/api',
      why: 'the workload is labelled cortex.dev/approval=required',
      diff: [
        { op: 'replace', path: 'deployments/api/scale:/spec/replicas', value: 2, from: 0 },
        { op: 'add', path: '/spec/template/metadata/annotations', value: { a: '1' } },
        { op: 'remove', path: '/spec/paused', from: true }
      ],
      expiresAt: '2026-11-27T10:15:00.000Z',
      status: 'pending'
    });
    // Assess
    expect(text.split('\n')).toEqual([
      'h-1:approval:1  pending  scale_up on demo/api  (healing h-1; expires 2026-11-27T10:15:00.000Z)',
      '    why: the workload is labelled cortex.dev/approval=required',
      '    deployments/api:',
      '      ~ deployments/api/scale:/spec/replicas: 0 → 2',
      '      + /spec/template/metadata/annotations: {"a":"1"}',
      '      - /spec/paused (was true)'
    ]);
    expect(diffLine({ op: 'replace', path: '/x', value: 1 })).toBe('~ /x: ∅ → 1');
  });

  it('deny needs a reason; approve and deny need exactly one id (usage errors, exit 2)', async () => {
    // Act
    const deny = await runCli(['deny', 'h-1:approval:1'], { config });
    const none = await runCli(['approve'], { config });
    // Assess
    expect(deny.code).toBe(2);
    expect(deny.stderr.join('\n')).toContain('deny needs --reason <text>');
    expect(none.code).toBe(2);
    expect(none.stderr.join('\n')).toContain('usage: cortex approve <id>');
  });

  it('without a URL or a running local stack says where to point it', async () => {
    // Act
    const out = await runCli(['approvals'], { config });
    // Assess
    expect(out.code).toBe(2);
    expect(out.stderr.join('\n')).toMatch(/no approvals URL: pass --url <url>, set CORTEX_APPROVALS_URL/);
  });
});
