import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../shared/runtime/config.js';
import { ConfigError } from '../../../../shared/runtime/errors.js';
import { SERVICE_ACCOUNT_NAMESPACE_FILE } from '../../../../shared/runtime/pod-namespace.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cortex-ns-'));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('Config: the namespace a function runs in', () => {
  it('reads the ServiceAccount namespace file when POD_NAMESPACE is not set', () => {
    // Prepare
    const namespaceFile = file('namespace', 'cortex-prod\n');
    // Act
    const config = loadConfig({ POD_NAMESPACE: undefined }, { namespaceFile });
    // Assess
    expect(config.namespace).toBe('cortex-prod');
  });

  it('lets POD_NAMESPACE win over the file', () => {
    // Prepare
    const namespaceFile = file('namespace', 'cortex-prod');
    // Act
    const config = loadConfig({ POD_NAMESPACE: 'elsewhere' }, { namespaceFile });
    // Assess
    expect(config.namespace).toBe('elsewhere');
  });

  it.each([
    ['there is no file (outside a cluster)', path.join(dir, 'missing')],
    ['the file is empty', file('empty', '  \n')]
  ])("falls back to 'cortex' when %s", (_case, namespaceFile) => {
    // Act
    const config = loadConfig({ POD_NAMESPACE: undefined }, { namespaceFile });
    // Assess
    expect(config.namespace).toBe('cortex');
  });

  it('refuses to guess when the file exists but cannot be read (a directory in its place)', () => {
    // Act
    const load = (): unknown => loadConfig({ POD_NAMESPACE: undefined }, { namespaceFile: dir });
    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`cannot read the pod's namespace from ${dir}`);
  });

  it('reads the standard ServiceAccount path by default', () => {
    // Assess
    expect(SERVICE_ACCOUNT_NAMESPACE_FILE).toBe('/var/run/secrets/kubernetes.io/serviceaccount/namespace');
  });
});
