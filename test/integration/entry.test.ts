import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

/*
 * The image runs the build of functions/main.ts (the Procfile: node dist/functions/main.js), which serves the function
 * CORTEX_FUNCTION names. `npm start` runs the build of local/stack/main.ts: the local stack, or with CORTEX_FUNCTION set
 * the same one function. Both run here as they run there, with node on the build (the global setup makes it).
 */

function start(
  env: Record<string, string>,
  entry = 'dist/functions/main.js'
): {
  exited: Promise<{ code: number | null; stderr: string }>;
  firstLine: Promise<string>;
  kill(): void;
} {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, CORTEX_LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const firstLine = new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return {
    exited: new Promise((r) => child.once('exit', (code) => r({ code, stderr }))),
    firstLine,
    kill: () => child.kill('SIGTERM')
  };
}

describe('Process entry (functions/main.ts, built)', () => {
  it('exits with a clear error inside a cluster when CORTEX_FUNCTION is not set', async () => {
    // Act
    const { code, stderr } = await start({ KUBERNETES_SERVICE_HOST: '10.96.0.1', CORTEX_FUNCTION: '' }).exited;
    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /CORTEX_FUNCTION is not set\. Inside a cluster this image serves exactly one function: set CORTEX_FUNCTION to one of .*error-intake/
    );
  });

  it('names the functions it knows when CORTEX_FUNCTION is wrong', async () => {
    // Act
    const { code, stderr } = await start({ CORTEX_FUNCTION: 'check-everything' }).exited;
    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /CORTEX_FUNCTION="check-everything" is not a Cortex function; choose one of: .*healing-coordinator/
    );
  });

  it('refuses to start with a bad configuration, before it serves', async () => {
    // Act
    const { code, stderr } = await start({ CORTEX_FUNCTION: 'error-intake', K_SINK: 'not a url' }).exited;
    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(/K_SINK/);
  });

  it('serves the one function CORTEX_FUNCTION names, and stops on SIGTERM', async () => {
    // Prepare
    const p = start({ CORTEX_FUNCTION: 'error-intake', K_SINK: 'http://127.0.0.1:9/' });
    // Act
    const line = await p.firstLine;
    p.kill();
    const { code } = await p.exited;
    // Assess
    expect(JSON.parse(line)).toMatchObject({ function: 'error-intake', msg: 'error-intake listening' });
    expect(code).toBe(0);
  });

  it('outside a cluster without CORTEX_FUNCTION, points to npm start for the local stack', async () => {
    // Act
    const { code, stderr } = await start({ CORTEX_FUNCTION: '' }).exited;
    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /CORTEX_FUNCTION is not set: name the function to serve .*or run the whole local stack with npm start/
    );
  });
});

describe('npm start (local/stack/main.ts, built)', () => {
  it('serves the one function CORTEX_FUNCTION names, as the image does', async () => {
    // Prepare
    const p = start({ CORTEX_FUNCTION: 'error-intake', K_SINK: 'http://127.0.0.1:9/' }, 'dist/local/stack/main.js');
    // Act
    const line = await p.firstLine;
    p.kill();
    const { code } = await p.exited;
    // Assess
    expect(JSON.parse(line)).toMatchObject({ function: 'error-intake', msg: 'error-intake listening' });
    expect(code).toBe(0);
  });
});
