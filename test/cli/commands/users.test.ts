/**
 * `samsa users`, `users:create` and `users:destroy` against a broker with SASL/SCRAM and
 * `--authorizer acl` (the CLI connects as the super user): a user created through the CLI can
 * authenticate with kcat (librdkafka's SCRAM), mechanisms are listed and removed one by one, a
 * destroyed user is refused, and bad arguments give clear errors with the right exit codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { run } from '../../helpers/run.ts';
import { json, samsaInProcess } from '../run-cli.ts';

let broker: TestBroker;
let admin: string[];
let bootstrap: string;

interface User {
  user: string;
  credentials: { mechanism: string; iterations: number }[];
}

before(async () => {
  broker = await startBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    authorizer: 'acl',
    superUsers: ['User:admin'],
    scramUsers: ['admin:admin-pw'],
  });
  bootstrap = `127.0.0.1:${broker.listeners[0]!.port}`;
  admin = [
    '-b',
    bootstrap,
    '--sasl-mechanism',
    'SCRAM-SHA-512',
    '--sasl-username',
    'admin',
    '--sasl-password',
    'admin-pw',
  ];
});
after(async () => {
  await broker?.stop();
});

/** kcat's metadata listing as `user`; exit 0 only when SCRAM authentication succeeded. */
function kcatLogin(user: string, password: string, mechanism = 'SCRAM-SHA-512') {
  return run(
    'kcat',
    [
      '-b',
      bootstrap,
      '-X',
      'security.protocol=SASL_PLAINTEXT',
      '-X',
      `sasl.mechanisms=${mechanism}`,
      '-X',
      `sasl.username=${user}`,
      '-X',
      `sasl.password=${password}`,
      '-m',
      '3',
      '-L',
    ],
    { timeoutMs: 30_000 },
  );
}

describe('samsa users', () => {
  it('creates users that authenticate, lists and destroys them mechanism by mechanism', async () => {
    assert.notEqual((await kcatLogin('carol', 'carol-pw')).code, 0, 'unknown user refused');
    const created = await samsaInProcess(['users:create', 'carol', ...admin], { input: 'carol-pw\n' });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Set SCRAM-SHA-512 credentials for carol \(4096 iterations\)/);
    const login = await kcatLogin('carol', 'carol-pw');
    assert.equal(login.code, 0, login.stderr);
    assert.notEqual((await kcatLogin('carol', 'wrong')).code, 0, 'wrong password refused');

    const sha256 = await samsaInProcess([
      'users:create',
      'carol',
      '--mechanism',
      'scram-sha-256',
      '--iterations',
      '8192',
      '--password',
      'carol-256',
      '--json',
      ...admin,
    ]);
    assert.equal(sha256.code, 0, sha256.stderr);
    assert.equal((await kcatLogin('carol', 'carol-256', 'SCRAM-SHA-256')).code, 0);
    const users = json<User[]>(await samsaInProcess(['users', '--json', ...admin]));
    assert.deepEqual(users.find((u) => u.user === 'carol')?.credentials, [
      { mechanism: 'SCRAM-SHA-256', iterations: 8192 },
      { mechanism: 'SCRAM-SHA-512', iterations: 4096 },
    ]);
    const table = await samsaInProcess(['users', ...admin]);
    assert.match(
      table.stdout,
      /carol\s+SCRAM-SHA-256 \(8192 iterations\), SCRAM-SHA-512 \(4096 iterations\)/,
    );

    const one = await samsaInProcess([
      'users:destroy',
      'carol',
      '--confirm',
      'carol',
      '--mechanism',
      'SCRAM-SHA-256',
      '--json',
      ...admin,
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(json(one), { user: 'carol', deleted: ['SCRAM-SHA-256'] });
    assert.notEqual((await kcatLogin('carol', 'carol-256', 'SCRAM-SHA-256')).code, 0);
    assert.equal((await kcatLogin('carol', 'carol-pw')).code, 0, 'the other mechanism stays');

    const all = await samsaInProcess(['users:destroy', 'carol', '--confirm', 'carol', ...admin]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /Deleted SCRAM-SHA-512 credentials of carol/);
    assert.notEqual((await kcatLogin('carol', 'carol-pw')).code, 0, 'destroyed user refused');
    assert.equal(
      json<User[]>(await samsaInProcess(['users', '--json', ...admin])).some((u) => u.user === 'carol'),
      false,
    );
  });

  it('rejects bad arguments and unknown users with clear errors', async () => {
    const noConfirm = await samsaInProcess(['users:destroy', 'admin', ...admin]);
    assert.equal(noConfirm.code, 2);
    assert.match(noConfirm.stderr, /not confirmed/);
    const badMechanism = await samsaInProcess([
      'users:create',
      'dave',
      '--mechanism',
      'MD5',
      '--password',
      'x',
      ...admin,
    ]);
    assert.equal(badMechanism.code, 2);
    assert.match(badMechanism.stderr, /unknown mechanism "MD5"/);
    const fewIterations = await samsaInProcess([
      'users:create',
      'dave',
      '--iterations',
      '100',
      '--password',
      'x',
      ...admin,
    ]);
    assert.equal(fewIterations.code, 2);
    const noPassword = await samsaInProcess(['users:create', 'dave', ...admin], { input: '' });
    assert.equal(noPassword.code, 2);
    assert.match(noPassword.stderr, /no password on stdin/);
    const unknown = await samsaInProcess(['users:destroy', 'nobody', '--confirm', 'nobody', ...admin]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no SCRAM credentials for user nobody/);
  });
});
