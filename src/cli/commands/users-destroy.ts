/** `samsa users:destroy NAME --confirm NAME [--mechanism M]`: removes a SCRAM user's credentials. */
import { deleteScramUser, describeScramUsers, type ScramMechanismName } from '../../client/scram-users.ts';
import { UsageError } from '../args.ts';
import { CLIENT_ID, defineCommand } from '../command.ts';
import { confirmName } from '../confirm.ts';
import { CliError } from '../errors.ts';
import { formatJson } from '../output.ts';
import { mechanismFrom } from '../scram-args.ts';

export const usersDestroyCommand = defineCommand({
  name: 'users:destroy',
  summary: 'delete a SCRAM user',
  args: [{ name: 'NAME' }],
  description:
    "Removes NAME's SCRAM credentials (every mechanism, or just --mechanism). Connections already authenticated stay open until they re-authenticate or close.",
  options: [
    { name: 'confirm', type: 'string', placeholder: 'NAME', description: 'the user name again, to confirm' },
    { name: 'mechanism', type: 'string', placeholder: 'MECHANISM', description: 'only this mechanism' },
  ],
  examples: [
    'samsa users:destroy alice --confirm alice',
    'samsa users:destroy alice --confirm alice --mechanism SCRAM-SHA-256',
  ],
  async run(ctx) {
    const name = ctx.args[0]!;
    const only = mechanismFrom(ctx.string('mechanism'));
    if (!(await confirmName(name, ctx.string('confirm'), 'user'))) {
      throw new UsageError(`not confirmed: pass --confirm ${name} to delete user ${name}`);
    }
    const existing = (await describeScramUsers(ctx.connection, CLIENT_ID)).find((u) => u.user === name);
    const has = (existing?.credentials ?? []).map((c) => c.mechanism as ScramMechanismName);
    const mechanisms = only === undefined ? has : has.filter((m) => m === only);
    if (mechanisms.length === 0) {
      throw new CliError(
        `no ${only ?? 'SCRAM'} credentials for user ${name}`,
        'samsa users lists the users and their mechanisms',
      );
    }
    await deleteScramUser(ctx.connection, CLIENT_ID, name, mechanisms);
    ctx.out(
      ctx.json
        ? formatJson({ user: name, deleted: mechanisms })
        : `Deleted ${mechanisms.join(', ')} credentials of ${name}`,
    );
    return 0;
  },
});
