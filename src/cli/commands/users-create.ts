/**
 * `samsa users:create NAME [--mechanism M] [--iterations N] [--password P]`: creates a SCRAM user
 * (or sets a new password). The password comes from --password or the first line of stdin; the
 * client salts and hashes it, only the salted hash is sent.
 */
import { DEFAULT_ITERATIONS, upsertScramUser } from '../../client/scram-users.ts';
import { CLIENT_ID, defineCommand } from '../command.ts';
import { formatJson } from '../output.ts';
import { mechanismFrom, passwordFrom } from '../scram-args.ts';

export const usersCreateCommand = defineCommand({
  name: 'users:create',
  summary: 'create a SCRAM user or set its password',
  args: [{ name: 'NAME' }],
  description:
    'Creates SCRAM credentials for NAME, or replaces them (a new password). Reads the password from the first line of stdin unless --password is given (flags show in ps).',
  options: [
    {
      name: 'mechanism',
      type: 'string',
      placeholder: 'MECHANISM',
      description: 'SCRAM-SHA-512 (default) or SCRAM-SHA-256',
    },
    {
      name: 'iterations',
      type: 'string',
      placeholder: 'N',
      description: `PBKDF2 iterations (default ${DEFAULT_ITERATIONS}, the minimum)`,
    },
    { name: 'password', type: 'string', placeholder: 'PASSWORD', description: 'the password (prefer stdin)' },
  ],
  examples: [
    'echo "$ALICE_PASSWORD" | samsa users:create alice',
    'samsa users:create billing-app --mechanism SCRAM-SHA-256 --password s3cret',
  ],
  async run(ctx) {
    const name = ctx.args[0]!;
    const mechanism = mechanismFrom(ctx.string('mechanism')) ?? 'SCRAM-SHA-512';
    const iterations = ctx.integer('iterations', DEFAULT_ITERATIONS) ?? DEFAULT_ITERATIONS;
    const password = await passwordFrom(ctx.string('password'));
    await upsertScramUser(ctx.connection, CLIENT_ID, { name, mechanism, password, iterations });
    ctx.out(
      ctx.json
        ? formatJson({ user: name, mechanism, iterations })
        : `Set ${mechanism} credentials for ${name} (${iterations} iterations)`,
    );
    return 0;
  },
});
