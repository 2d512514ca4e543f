/**
 * The application's state directory `<state.dir>/<application.id>/`: one sub-directory per task
 * (`0_1/`) holding its persistent stores and a `.checkpoint` file (changelog offsets the stores
 * are known to match, written on a clean close and removed when the task starts processing), and
 * `kafka-streams-process-metadata` with the instance's stable process id. A `.lock` file holding
 * the owner's pid keeps two instances from sharing one directory; a lock left by a dead process
 * is taken over.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { StreamsException } from '../errors.ts';

export class StateDirectoryLockedError extends StreamsException {
  override readonly name = 'StateDirectoryLockedError';
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StateDirectory {
  readonly appDir: string;
  private readonly lockPath: string;
  private locked = false;

  constructor(stateDir: string, applicationId: string) {
    this.appDir = join(stateDir, applicationId);
    this.lockPath = join(this.appDir, '.lock');
  }

  lock(): void {
    mkdirSync(this.appDir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockPath, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(readFileSync(this.lockPath, 'utf8').trim());
        if (alive(owner))
          throw new StateDirectoryLockedError(
            `state directory ${this.appDir} is in use by process ${owner}; give each instance its own state.dir`,
          );
        rmSync(this.lockPath, { force: true });
      }
    }
    throw new StateDirectoryLockedError(`could not lock state directory ${this.appDir}`);
  }

  unlock(): void {
    if (!this.locked) return;
    rmSync(this.lockPath, { force: true });
    this.locked = false;
  }

  /** A process id that survives restarts (names the transactional id under exactly_once_v2). */
  processId(): string {
    const path = join(this.appDir, 'kafka-streams-process-metadata');
    try {
      const { processId } = JSON.parse(readFileSync(path, 'utf8')) as { processId: string };
      if (typeof processId === 'string' && processId) return processId;
    } catch {}
    const processId = randomUUID();
    writeFileSync(path, JSON.stringify({ processId }));
    return processId;
  }

  taskDir(task: string): string {
    const dir = join(this.appDir, task);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Tasks with a state directory (their state can be restored from a checkpoint). */
  tasksWithState(): string[] {
    if (!existsSync(this.appDir)) return [];
    return readdirSync(this.appDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^\d+_\d+$/.test(e.name))
      .map((e) => e.name);
  }

  /** Changelog offsets recorded at the last clean close: `topic:partition` → next offset. */
  readCheckpoint(task: string): Map<string, bigint> | null {
    const path = join(this.appDir, task, '.checkpoint');
    try {
      const raw = JSON.parse(readFileSync(path, 'utf8')) as { [tp: string]: string };
      return new Map(Object.entries(raw).map(([k, v]) => [k, BigInt(v)]));
    } catch {
      return null;
    }
  }

  writeCheckpoint(task: string, offsets: Map<string, bigint>): void {
    const dir = this.taskDir(task);
    const tmp = join(dir, '.checkpoint.tmp');
    writeFileSync(tmp, JSON.stringify(Object.fromEntries([...offsets].map(([k, v]) => [k, String(v)]))));
    renameSync(tmp, join(dir, '.checkpoint'));
  }

  deleteCheckpoint(task: string): void {
    rmSync(join(this.appDir, task, '.checkpoint'), { force: true });
  }

  /** Removes a task's local state (it is rebuilt from the changelog). */
  wipeTask(task: string): void {
    rmSync(join(this.appDir, task), { recursive: true, force: true });
  }

  /** KafkaStreams.cleanUp(): removes all local state of the application. */
  cleanUp(): void {
    for (const t of this.tasksWithState()) this.wipeTask(t);
  }
}
