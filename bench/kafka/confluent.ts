/**
 * A second real client: librdkafka through python3-confluent-kafka (confluent_produce.py), when
 * /usr/bin/python3 (or python3) can import confluent_kafka. Returns null when it cannot.
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./confluent_produce.py', import.meta.url));

export function findPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(py, ['-c', 'import confluent_kafka'], { stdio: 'ignore', timeout: 10000 });
      return py;
    } catch {}
  }
  return null;
}

export interface ConfluentResult {
  records: number;
  seconds: number;
  error?: string;
}

export function confluentProduce(
  python: string,
  port: number,
  topic: string,
  size: number,
  seconds: number,
  acks: number,
): Promise<ConfluentResult> {
  return new Promise((resolve) => {
    const child = spawn(
      python,
      [SCRIPT, `127.0.0.1:${port}`, topic, String(size), String(seconds), String(acks)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('exit', () => {
      clearTimeout(timer);
      try {
        const r = JSON.parse(out.trim().split('\n').pop() ?? '') as ConfluentResult & { unflushed: number };
        resolve({
          records: r.records,
          seconds: r.seconds,
          error: r.unflushed ? `${r.unflushed} unflushed` : undefined,
        });
      } catch {
        resolve({ records: 0, seconds: 1, error: `confluent-kafka run failed: ${err.trim().slice(-300)}` });
      }
    });
  });
}
