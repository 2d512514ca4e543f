/** `samsa users`: lists SCRAM users with their mechanisms and iteration counts. */
import { describeScramUsers } from '../../client/scram-users.ts';
import { CLIENT_ID, defineCommand } from '../command.ts';
import { formatJson, formatTable } from '../output.ts';

export const usersCommand = defineCommand({
  name: 'users',
  summary: 'list SCRAM users',
  description:
    'Lists the SCRAM users the cluster knows, with their mechanisms and iteration counts. Passwords are never shown (the broker keeps only salted hashes).',
  examples: ['samsa users', 'samsa users --json'],
  async run(ctx) {
    const users = (await describeScramUsers(ctx.connection, CLIENT_ID)).sort((a, b) =>
      a.user.localeCompare(b.user),
    );
    if (ctx.json) {
      ctx.out(formatJson(users));
      return 0;
    }
    ctx.out(
      formatTable(
        [
          { header: 'user', value: (u: (typeof users)[number]) => u.user },
          {
            header: 'mechanisms',
            value: (u) => u.credentials.map((c) => `${c.mechanism} (${c.iterations} iterations)`).join(', '),
          },
        ],
        users,
        'No SCRAM users.',
      ),
    );
    return 0;
  },
});
