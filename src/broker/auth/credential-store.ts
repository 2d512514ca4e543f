/**
 * SCRAM credentials of the broker's users, kept salted and hashed (salt, iterations, stored key,
 * server key — never the password) in `<dataDir>/__meta/scram-credentials.json`, replaced
 * atomically on every change. Users given with `--scram-user NAME:PASSWORD` are (re)created at
 * start for both SCRAM mechanisms. Unknown users are answered with mock credentials derived from a
 * random secret kept in `<dataDir>/__meta/scram-mock-secret`.
 */

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  credentialFromPassword,
  mockCredential,
  SCRAM_MECHANISMS,
  type ScramCredential,
  type ScramMechanism,
} from './scram.ts';

interface StoredCredential {
  salt: string;
  iterations: number;
  storedKey: string;
  serverKey: string;
}

type FileShape = Record<string, Partial<Record<ScramMechanism, StoredCredential>>>;

export class CredentialStore {
  private readonly path: string;
  private readonly users = new Map<string, Map<ScramMechanism, ScramCredential>>();
  private secret: Buffer | undefined;

  constructor(dataDir: string) {
    this.path = join(dataDir, '__meta', 'scram-credentials.json');
    if (existsSync(this.path)) {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as FileShape;
      for (const [user, mechs] of Object.entries(data)) {
        const m = new Map<ScramMechanism, ScramCredential>();
        for (const [mech, c] of Object.entries(mechs)) {
          if (!c) continue;
          m.set(mech as ScramMechanism, {
            salt: Buffer.from(c.salt, 'base64'),
            iterations: c.iterations,
            storedKey: Buffer.from(c.storedKey, 'base64'),
            serverKey: Buffer.from(c.serverKey, 'base64'),
          });
        }
        this.users.set(user, m);
      }
    }
  }

  /**
   * The stand-in credential of an unknown user (RFC 5802 mock exchange), derived from this data
   * directory's secret and the name: the same salt on every attempt, and across restarts.
   */
  mock(mechanism: ScramMechanism, user: string): ScramCredential {
    return mockCredential(mechanism, this.mockSecret(), user);
  }

  /** 32 random bytes in `<dataDir>/__meta/scram-mock-secret` (mode 600), created on first use. */
  private mockSecret(): Buffer {
    if (this.secret) return this.secret;
    const path = join(dirname(this.path), 'scram-mock-secret');
    if (existsSync(path)) {
      const stored = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
      if (stored.length >= 32) return (this.secret = stored);
    }
    const secret = randomBytes(32);
    writeAtomically(path, secret.toString('base64'));
    return (this.secret = secret);
  }

  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  /** Any credential of the user (PLAIN checks the password against whichever exists). */
  any(user: string): { mechanism: ScramMechanism; credential: ScramCredential } | undefined {
    const m = this.users.get(user);
    if (!m) return undefined;
    for (const mechanism of SCRAM_MECHANISMS) {
      const credential = m.get(mechanism);
      if (credential) return { mechanism, credential };
    }
    return undefined;
  }

  describe(user: string): { mechanism: ScramMechanism; iterations: number }[] {
    return [...(this.users.get(user)?.entries() ?? [])].map(([mechanism, c]) => ({
      mechanism,
      iterations: c.iterations,
    }));
  }

  list(): string[] {
    return [...this.users.keys()].sort();
  }

  set(user: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    let m = this.users.get(user);
    if (!m) this.users.set(user, (m = new Map()));
    m.set(mechanism, credential);
  }

  delete(user: string, mechanism: ScramMechanism): boolean {
    const m = this.users.get(user);
    if (!m?.delete(mechanism)) return false;
    if (m.size === 0) this.users.delete(user);
    return true;
  }

  /** Creates or replaces a user's credentials for every SCRAM mechanism from a password. */
  setPassword(user: string, password: string): void {
    for (const mech of SCRAM_MECHANISMS) this.set(user, mech, credentialFromPassword(mech, password));
  }

  save(): void {
    const data: FileShape = {};
    for (const [user, mechs] of this.users) {
      data[user] = {};
      for (const [mech, c] of mechs) {
        data[user][mech] = {
          salt: c.salt.toString('base64'),
          iterations: c.iterations,
          storedKey: c.storedKey.toString('base64'),
          serverKey: c.serverKey.toString('base64'),
        };
      }
    }
    writeAtomically(this.path, JSON.stringify(data, null, 2));
  }
}

/** Writes a file readable by its owner only, through a temporary file and a rename. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}
