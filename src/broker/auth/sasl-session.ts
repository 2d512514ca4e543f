/**
 * One connection's SASL state: SaslHandshake picks a mechanism, SaslAuthenticate carries the
 * tokens (PLAIN: one round; SCRAM-SHA-256/512: two rounds). Success sets the principal
 * (`User:<name>`); failure answers SASL_AUTHENTICATION_FAILED and the connection is closed. After
 * success a new handshake starts re-authentication (KIP-368). Unknown users go through the same
 * work as known ones (a mock credential), so neither answers nor timing reveal which names exist.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import type { CredentialStore } from './credential-store.ts';
import { passwordMatches, ScramError, type ScramMechanism, ScramServerExchange } from './scram.ts';

export type SaslMechanism = 'PLAIN' | ScramMechanism;
export const ALL_SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

export interface AuthStep {
  errorCode: number;
  errorMessage: string | null;
  response: Buffer;
  /** Set once authentication completed successfully. */
  principal?: string;
}

export class SaslSession {
  private readonly enabled: readonly SaslMechanism[];
  private readonly store: CredentialStore;
  private mechanism: SaslMechanism | null = null;
  private scram: ScramServerExchange | null = null;

  constructor(enabled: readonly SaslMechanism[], store: CredentialStore) {
    this.enabled = enabled;
    this.store = store;
  }

  get mechanisms(): readonly SaslMechanism[] {
    return this.enabled;
  }

  handshake(mechanism: string): number {
    if (!this.enabled.includes(mechanism as SaslMechanism)) return ErrorCode.UNSUPPORTED_SASL_MECHANISM;
    this.mechanism = mechanism as SaslMechanism;
    this.scram = null;
    return ErrorCode.NONE;
  }

  authenticate(token: Buffer): AuthStep {
    const failed = (message: string): AuthStep => ({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: message,
      response: Buffer.alloc(0),
    });
    if (this.mechanism === null) {
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'SaslAuthenticate before SaslHandshake',
        response: Buffer.alloc(0),
      };
    }
    if (this.mechanism === 'PLAIN') {
      const parts = token.toString('utf8').split('\u0000');
      if (parts.length !== 3) return failed('Invalid SASL/PLAIN request: expected 3 tokens');
      const [authzid, user, password] = parts as [string, string, string];
      if (authzid !== '' && authzid !== user)
        return failed('Authentication failed: authorization id must equal the user name');
      // An unknown user's password is checked against a mock credential, at the same cost (the
      // mock is derived for known users too).
      const mock = this.store.mock('SCRAM-SHA-256', user);
      const cred = this.store.any(user);
      const check = cred ?? { mechanism: 'SCRAM-SHA-256' as const, credential: mock };
      this.mechanism = null;
      const matches = passwordMatches(check.mechanism, password, check.credential);
      if (!matches || cred === undefined) {
        return failed('Authentication failed: Invalid username or password');
      }
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        response: Buffer.alloc(0),
        principal: `User:${user}`,
      };
    }
    const mechanism = this.mechanism;
    try {
      if (this.scram === null) {
        this.scram = new ScramServerExchange(
          mechanism,
          (u) => this.store.get(u, mechanism),
          (u) => this.store.mock(mechanism, u),
        );
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          response: Buffer.from(this.scram.first(token.toString('utf8'))),
        };
      }
      const serverFinal = this.scram.final(token.toString('utf8'));
      const principal = `User:${this.scram.username}`;
      this.scram = null;
      this.mechanism = null;
      return { errorCode: ErrorCode.NONE, errorMessage: null, response: Buffer.from(serverFinal), principal };
    } catch (err) {
      this.scram = null;
      this.mechanism = null;
      return failed(err instanceof ScramError ? err.message : 'Authentication failed');
    }
  }
}
