/**
 * `npm test`: the generated-code check, the type check and the linter run while the tests run
 * (they take ~25 s of CPU on one core, during which the tests mostly wait on sockets, timers and
 * child processes). The tests' output streams as it comes; each check's output is printed when it
 * ends. Exits 1 if any of them failed, naming which.
 */
import { spawn } from 'node:child_process';

interface Outcome {
  script: string;
  code: number | null;
}

function npmRun(script: string, buffered: boolean): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script], {
      stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    const output: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => output.push(c));
    child.stderr?.on('data', (c: Buffer) => output.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (buffered) {
        const text = Buffer.concat(output).toString('utf8').trimEnd();
        console.log(
          `\n── npm run ${script}: ${code === 0 ? 'ok' : `failed (exit ${code})`}${text ? `\n${text}` : ''}`,
        );
      }
      resolve({ script, code });
    });
  });
}

const outcomes = await Promise.all([
  npmRun('check:generated', true),
  npmRun('typecheck', true),
  npmRun('lint', true),
  npmRun('test:unit', false),
]);
const failed = outcomes.filter((o) => o.code !== 0).map((o) => o.script);
if (failed.length > 0) {
  console.error(`\nnpm test failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
