import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The dependency rule is enforced by `npm run lint` (eslint.config.js): these cases lint source text at paths inside
 * the repository, the way the real files are linted, and expect a wrong arrow to fail and a right one to pass.
 */

const eslint = new ESLint({ cwd: process.cwd() });

/** The dependency-rule messages ESLint gives for `code` written in `file`. */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

const wrong: Array<[string, string, RegExp]> = [
  ['functions/index.ts', "import { runLocalStack } from '../local/stack/main.js';", /functions\/ may not import local\//],
  [
    'functions/chat/x.ts',
    "import type { LocalStack } from '../../local/stack/index.js';",
    /functions\/ may not import local\//
  ],
  [
    'functions/index.ts',
    "export const load = () => import('../local/stack/main.js');",
    /functions\/ may not import local\//
  ],
  ['functions/healing-coordinator/x.ts', "import { x } from '../../test/fakes/ctx.js';", /may not import test\//],
  ['functions/chat/x.ts', "import { x } from '../../bench/measure.js';", /may not import bench\//],
  ['shared/runtime/x.ts', "import { registry } from '../../functions/index.js';", /shared\/ may not import functions\//],
  [
    'shared/runtime/x.ts',
    "import type { LocalStack } from '../../local/stack/index.js';",
    /shared\/ may not import local\//
  ],
  ['shared/x.ts', "import { x } from '../cli/main.js';", /shared\/ may not import cli\//],
  ['shared/events/x.ts', "import { TransientError } from '../runtime/errors.js';", /ground floor/],
  ['shared/events/x.ts', "import type { Clock } from '../runtime/clock.js';", /ground floor/],
  ['local/stack/x.ts', "import { main } from '../../cli/main.js';", /local\/ may not import cli\//],
  ['local/stack/x.ts', "import { benchPipeline } from '../../bench/pipeline.js';", /local\/ may not import bench\//],
  ['local/stack/x.ts', "import { classify } from '../../functions/chat/llm-failures.js';", /only through the registry/],
  ['bench/x.ts', "import { startTestStack } from '../test/helpers/stack.js';", /bench\/ may not import test\//],
  ['cli/commands/x.ts', "import { x } from '../../test/helpers/cli.js';", /cli\/ may not import test\//]
];

const right: Array<[string, string]> = [
  ['functions/chat/x.ts', "import { Events } from '../../shared/events/catalog.js';"],
  ['functions/index.ts', "export const load = () => import('./chat/index.js');"],
  ['shared/runtime/x.ts', "import { Events } from '../events/catalog.js';"],
  ['shared/events/x.ts', "import { defineEvent } from './define.js';"],
  ['local/stack/x.ts', "import { loadAll } from '../../functions/index.js';"],
  ['local/stack/x.ts', "import { createLogger } from '../../shared/runtime/logging.js';"],
  ['bench/x.ts', "import { startLocalStack } from '../local/stack/index.js';"],
  ['cli/x.ts', "import { readState } from '../local/stack/state-file.js';"],
  ['test/unit/x.test.ts', "import { createFakeCtx } from '../fakes/ctx.js';"]
];

describe('Lint: the dependency rule', () => {
  it.each(wrong)('%s: %s fails', async (file, code, message) => {
    // Act
    const found = await violations(file, code);
    // Assess
    expect(
      found.some((m) => message.test(m)),
      JSON.stringify(found)
    ).toBe(true);
  });

  it.each(right)('%s: %s passes', async (file, code) => {
    // Act
    const found = await violations(file, code);
    // Assess
    expect(found).toEqual([]);
  });
});
