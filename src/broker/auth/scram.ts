/**
 * SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka uses them: credential derivation
 * (salted password → stored key and server key; the password itself is never kept) and the server
 * side of the two-round exchange. Proofs are compared in constant time; an unknown user gets a mock
 * exchange indistinguishable from a known one's (same salt each time, same work).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
/** Kafka's bounds for the PBKDF2 iteration count. */
export const MIN_ITERATIONS = 4096;
export const MAX_ITERATIONS = 16384;

export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

function hashName(m: ScramMechanism): 'sha256' | 'sha512' {
  return m === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
}

function hmac(m: ScramMechanism, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hashName(m), key).update(data).digest();
}

export function saltedPassword(
  m: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  const len = m === 'SCRAM-SHA-256' ? 32 : 64;
  return pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, len, hashName(m));
}

/** The stored form of a credential, from the salted password (what AlterUserScramCredentials sends). */
export function credentialFromSaltedPassword(
  m: ScramMechanism,
  salted: Buffer,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  const clientKey = hmac(m, salted, 'Client Key');
  return {
    salt,
    iterations,
    storedKey: createHash(hashName(m)).update(clientKey).digest(),
    serverKey: hmac(m, salted, 'Server Key'),
  };
}

export function credentialFromPassword(
  m: ScramMechanism,
  password: string,
  iterations = MIN_ITERATIONS,
): ScramCredential {
  const salt = randomBytes(32);
  return credentialFromSaltedPassword(m, saltedPassword(m, password, salt, iterations), salt, iterations);
}

/** Checks a clear-text password (SASL/PLAIN) against a stored SCRAM credential. */
export function passwordMatches(m: ScramMechanism, password: string, cred: ScramCredential): boolean {
  const derived = credentialFromSaltedPassword(
    m,
    saltedPassword(m, password, cred.salt, cred.iterations),
    cred.salt,
    cred.iterations,
  );
  return timingSafeEqual(derived.storedKey, cred.storedKey);
}

/**
 * The credential an unknown user is answered with (RFC 5802's mock exchange): salt, stored key
 * and server key derived from a server secret and the user name, so repeated attempts for one name
 * see the same salt, and the iteration count of a user created with a password (4096). Nothing
 * derived from it ever verifies: callers also check that the user is known.
 */
export function mockCredential(m: ScramMechanism, secret: Buffer, user: string): ScramCredential {
  const derive = (label: string): Buffer => hmac(m, secret, `${label}\u0000${m}\u0000${user}`);
  return {
    salt: derive('salt').subarray(0, 32),
    iterations: MIN_ITERATIONS,
    storedKey: derive('stored-key'),
    serverKey: derive('server-key'),
  };
}

/** Parses `k=v,k=v` SCRAM attributes. */
function attributes(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

function unescapeUsername(s: string): string {
  return s.replaceAll('=2C', ',').replaceAll('=3D', '=');
}

export class ScramError extends Error {
  override readonly name = 'ScramError';
}

/**
 * Server side of one SCRAM exchange. `first` takes the client-first message and returns the
 * server-first message; `final` takes the client-final message and returns the server-final
 * message once the proof checks out. Any failure throws ScramError (authentication failed).
 */
export class ScramServerExchange {
  private readonly mechanism: ScramMechanism;
  private readonly lookup: (user: string) => ScramCredential | undefined;
  private readonly mock: (user: string) => ScramCredential;
  private state: 'initial' | 'first-sent' | 'done' = 'initial';
  private user = '';
  private known = false;
  private cred: ScramCredential | undefined;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  /** `mock` gives the stand-in credential of an unknown user (see mockCredential). */
  constructor(
    mechanism: ScramMechanism,
    lookup: (user: string) => ScramCredential | undefined,
    mock: (user: string) => ScramCredential,
  ) {
    this.mechanism = mechanism;
    this.lookup = lookup;
    this.mock = mock;
  }

  get username(): string {
    return this.user;
  }

  first(message: string): string {
    if (this.state !== 'initial') throw new ScramError('unexpected client-first message');
    // gs2-header: "n,," or "y,," (no channel binding), optionally with an authzid: "n,a=user,"
    const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(message);
    if (!m) throw new ScramError('malformed client-first message');
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    const user = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (!user || !clientNonce) throw new ScramError('client-first message lacks user or nonce');
    this.user = unescapeUsername(user);
    // An unknown user gets the same exchange against a mock credential (the same salt every time,
    // the same work), so user names cannot be probed; the proof check then fails.
    // (The mock is derived for known users too, so both take the same time.)
    const mock = this.mock(this.user);
    const real = this.lookup(this.user);
    this.known = real !== undefined;
    this.cred = real ?? mock;
    this.nonce = clientNonce + randomBytes(18).toString('base64url');
    this.serverFirst = `r=${this.nonce},s=${this.cred.salt.toString('base64')},i=${this.cred.iterations}`;
    this.state = 'first-sent';
    return this.serverFirst;
  }

  final(message: string): string {
    if (this.state !== 'first-sent') throw new ScramError('unexpected client-final message');
    this.state = 'done';
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) throw new ScramError('client-final message lacks a proof');
    const withoutProof = message.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    // librdkafka echoes its client nonce followed by the whole server nonce; Kafka accepts any
    // final nonce that ends with the nonce it sent, and so do we.
    if (!attrs.get('r')?.endsWith(this.nonce))
      throw new ScramError('Invalid client nonce in the final client message');
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64'))
      throw new ScramError('channel binding mismatch');
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    const cred = this.cred!;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.mechanism, cred.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new ScramError('invalid proof');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const storedKey = createHash(hashName(this.mechanism)).update(clientKey).digest();
    if (!timingSafeEqual(storedKey, cred.storedKey) || !this.known) {
      throw new ScramError(
        `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`,
      );
    }
    const serverSignature = hmac(this.mechanism, cred.serverKey, authMessage);
    return `v=${serverSignature.toString('base64')}`;
  }
}
