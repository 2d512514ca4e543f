/**
 * SCRAM users over the Kafka protocol: DescribeUserScramCredentials and AlterUserScramCredentials
 * (v0, KIP-554). @platformatic/kafka's Admin has no call for these, so they go over one raw
 * connection (broker-connection.ts) as the requests the library defines. Passwords never travel:
 * the client salts and hashes them (PBKDF2, as RFC 5802's Hi) and sends salt, iterations and salted
 * password, as Kafka's admin client does.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { alterUserScramCredentialsV0, describeUserScramCredentialsV0 } from '@platformatic/kafka';
import { withBrokerConnection } from './broker-connection.ts';
import type { KafkaConnectionOptions } from './connection-options.ts';

export const SCRAM_MECHANISMS = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 } as const;
export type ScramMechanismName = keyof typeof SCRAM_MECHANISMS;

/** Kafka's default and minimum iteration count for SCRAM credentials. */
export const DEFAULT_ITERATIONS = 4096;

export interface ScramUser {
  user: string;
  credentials: { mechanism: ScramMechanismName | string; iterations: number }[];
}

function mechanismName(code: number): string {
  return Object.entries(SCRAM_MECHANISMS).find(([, v]) => v === code)?.[0] ?? `unknown (${code})`;
}

/** Every SCRAM user (or just `names`) with its mechanisms and iteration counts. */
export function describeScramUsers(
  options: KafkaConnectionOptions,
  clientId: string,
  names: readonly string[] | null = null,
): Promise<ScramUser[]> {
  return withBrokerConnection(options, clientId, async (c) => {
    const res = await describeUserScramCredentialsV0.api.async(
      c,
      names === null ? null : names.map((name) => ({ name })),
    );
    return res.results.map((r) => ({
      user: r.user,
      credentials: r.credentialInfos
        .map((i) => ({ mechanism: mechanismName(i.mechanism), iterations: i.iterations }))
        .sort((a, b) => a.mechanism.localeCompare(b.mechanism)),
    }));
  });
}

/** Salted password as SCRAM's Hi(): PBKDF2 with the mechanism's hash, output the hash's size. */
export function saltedPassword(
  mechanism: ScramMechanismName,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  const sha512 = mechanism === 'SCRAM-SHA-512';
  return pbkdf2Sync(
    password.normalize('NFKC'),
    salt,
    iterations,
    sha512 ? 64 : 32,
    sha512 ? 'sha512' : 'sha256',
  );
}

/** Creates the user's credential for `mechanism`, or replaces it (a new password). */
export async function upsertScramUser(
  options: KafkaConnectionOptions,
  clientId: string,
  user: { name: string; mechanism: ScramMechanismName; password: string; iterations: number },
): Promise<void> {
  const salt = randomBytes(32);
  await withBrokerConnection(options, clientId, (c) =>
    alterUserScramCredentialsV0.api.async(
      c,
      [],
      [
        {
          name: user.name,
          mechanism: SCRAM_MECHANISMS[user.mechanism],
          iterations: user.iterations,
          salt,
          saltedPassword: saltedPassword(user.mechanism, user.password, salt, user.iterations),
        },
      ],
    ),
  );
}

/** Removes the user's credentials for these mechanisms. */
export async function deleteScramUser(
  options: KafkaConnectionOptions,
  clientId: string,
  name: string,
  mechanisms: readonly ScramMechanismName[],
): Promise<void> {
  await withBrokerConnection(options, clientId, (c) =>
    alterUserScramCredentialsV0.api.async(
      c,
      mechanisms.map((m) => ({ name, mechanism: SCRAM_MECHANISMS[m] })),
      [],
    ),
  );
}
