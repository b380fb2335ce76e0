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
