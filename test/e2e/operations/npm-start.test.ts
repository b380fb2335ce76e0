import { describe, expect, it } from 'vitest';
import { spawnProcess } from '../../helpers/process.js';
import { testStackEnv } from '../../helpers/stack.js';

/*
 * The README's first command as a user runs it: `npm start` (its pre-script finds the dependencies and the build up
 * to date, the global setup made it), the whole stack from the build, the page at the front door, and Ctrl-C (SIGINT
 * to the terminal's process group) stopping all of it.
 */

describe('e2e: npm start', () => {
  it('serves the page from the built stack and stops on Ctrl-C', async () => {
    // Prepare
    const proc = spawnProcess('npm', ['start'], { env: testStackEnv({ CORTEX_LOG_LEVEL: 'info' }), group: true });
    try {
      const line = await proc.waitFor('stdout', (l) => l.includes('"msg":"Open http'), 90_000);
      const page = String((JSON.parse(line) as { page: string }).page);
      // Act
      const [html, script] = await Promise.all([fetch(`${page}/`), fetch(`${page}/assets/app.js`)]);
      // Assess
      expect(proc.stdout).toContain('> node dist/local/stack/main.js');
      expect(html.status).toBe(200);
      expect(await html.text()).toContain('<script');
      expect(script.status).toBe(200);
    } finally {
      await proc.stop('SIGINT');
    }
    expect(proc.stdout.some((l) => l.includes('stopping the local stack'))).toBe(true);
  });
});
