import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../shared/runtime/config.js';
import { ConfigError } from '../../../../shared/runtime/errors.js';

describe('Config: credentials from the cortex-secrets Secret', () => {
  it.each([
    ['CORTEX_SESSION_SECRET', 'REPLACE-with-32-random-bytes-hex'],
    ['CORTEX_OPERATOR_TOKEN', 'REPLACE-with-a-long-random-token'],
    ['ANTHROPIC_API_KEY', 'REPLACE-with-your-key']
  ])('refuses to start with the placeholder of knative/config.yaml in %s', (name, value) => {
    // Act
    const load = (): unknown => loadConfig({ [name]: value });
    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`${name} still holds the placeholder from knative/config.yaml`);
  });

  it('accepts real values', () => {
    // Act
    const config = loadConfig({
      CORTEX_SESSION_SECRET: 'a'.repeat(64),
      CORTEX_OPERATOR_TOKEN: 'b'.repeat(64),
      ANTHROPIC_API_KEY: 'sk-ant-test'
    });
    // Assess
    expect([config.sessionSecret, config.operatorToken, config.llm.apiKey]).toEqual([
      'a'.repeat(64),
      'b'.repeat(64),
      'sk-ant-test'
    ]);
  });
});

describe('Config: MCP server credentials (CORTEX_MCP_AUTH)', () => {
  const servers = JSON.stringify([
    { name: 'k8s', url: 'http://k8s/mcp', target: { namespace: 'a', service: 'k8s' } },
    { name: 'docs', url: 'http://docs/mcp', target: { namespace: 'a', service: 'docs' } }
  ]);

  it('gives each named server its headers and OAuth client credentials; the others get none', () => {
    // Prepare
    const auth = {
      k8s: { headers: { Authorization: 'Bearer t0ken' } },
      docs: { oauth: { clientId: 'cortex', clientSecret: 's', issuer: 'https://auth.example.com/' } }
    };
    // Act
    const config = loadConfig({ CORTEX_MCP_SERVERS: servers, CORTEX_MCP_AUTH: JSON.stringify(auth) });
    // Assess
    expect(config.mcp.servers.map((s) => s.auth)).toEqual([auth.k8s, auth.docs]);
    expect(loadConfig({ CORTEX_MCP_SERVERS: servers }).mcp.servers.every((s) => s.auth === undefined)).toBe(true);
  });

  it.each([
    [{ nope: { headers: {} } }, 'CORTEX_MCP_AUTH names MCP servers that CORTEX_MCP_SERVERS lacks: nope'],
    [{ k8s: { oauth: { clientId: 'c' } } }, 'clientSecret'],
    [{ k8s: { token: 'x' } }, 'Unrecognized key'],
    ['{not json', 'CORTEX_MCP_AUTH must be JSON']
  ])('refuses %j', (auth, message) => {
    // Act
    const load = (): unknown =>
      loadConfig({ CORTEX_MCP_SERVERS: servers, CORTEX_MCP_AUTH: typeof auth === 'string' ? auth : JSON.stringify(auth) });
    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
