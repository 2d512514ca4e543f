/**
 * The console's Security page in a real browser (Debian's Chromium) against a broker that requires
 * SASL (SCRAM users, the ACL authorizer, a super user): logged in as the super user through HTTP
 * basic authentication, the page creates an ACL binding (CreateAcls) and deletes it (DeleteAcls),
 * creates a SCRAM user (AlterUserScramCredentials) and deletes it; the broker's own answers
 * (DescribeAcls, DescribeUserScramCredentials) confirm each change, and a user without rights sees
 * the broker's refusal.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AclOperations,
  AclPermissionTypes,
  Admin,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { type Browser, chromium, type Page } from 'playwright-core';
import { describeScramUsers } from '../../src/client/scram-users.ts';
import { type RunningConsole, startConsole } from '../../src/console/server/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { SHOTS } from './screenshots.ts';

const CHROMIUM = '/usr/bin/chromium';
const adminSasl = { mechanism: 'SCRAM-SHA-256' as const, username: 'admin', password: 'admin-pw' };

let broker: TestBroker;
let console_: RunningConsole;
let browser: Browser;
let page: Page;
let admin: Admin;
let bootstrap: string;

async function aclsOnOrders() {
  const found = await admin.describeAcls({
    filter: {
      resourceType: ResourceTypes.TOPIC,
      resourceName: 'orders',
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: null,
      host: null,
      operation: AclOperations.ANY,
      permissionType: AclPermissionTypes.ANY,
    },
  });
  return found.flatMap((r) => r.acls.map((a) => `${a.principal} ${a.operation} ${a.permissionType}`));
}

describe('security page on a SASL broker', { skip: !existsSync(CHROMIUM) && 'no /usr/bin/chromium' }, () => {
  before(async () => {
    broker = await startBroker({
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      scramUsers: ['admin:admin-pw', 'alice:alice-pw'],
      authorizer: 'acl',
      superUsers: ['User:admin'],
    });
    bootstrap = `127.0.0.1:${broker.listeners[0]!.port}`;
    console_ = await startConsole({
      connection: { bootstrapBrokers: [bootstrap] },
      port: 0,
      authentication: 'basic',
      saslMechanism: 'SCRAM-SHA-256',
    });
    admin = new Admin({ clientId: 'console-test', bootstrapBrokers: [bootstrap], sasl: adminSasl });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
    });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      httpCredentials: { username: 'admin', password: 'admin-pw' },
    });
    page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
  });

  after(async () => {
    await browser?.close();
    await admin?.close();
    await console_?.stop();
    await broker?.stop();
  });

  it('creates and deletes an ACL binding', async () => {
    await page.goto(`${console_.url}/#/security`);
    const form = page.getByRole('form', { name: 'Create an ACL' });
    await form.waitFor();
    await form.locator('input[name=principal]').fill('User:alice');
    await form.locator('select[name=operation]').selectOption('READ');
    await form.locator('select[name=resourceType]').selectOption('TOPIC');
    await form.locator('input[name=resourceName]').fill('orders');
    await form.getByRole('button', { name: 'Create ACL' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Created ACL: User:alice ALLOW READ on TOPIC orders' })
      .waitFor();
    const row = page.getByTestId('acls').locator('tbody tr', { hasText: 'User:alice' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /User:aliceALLOWREADTOPIC ordersLITERAL\*/);
    assert.deepEqual(await aclsOnOrders(), [`User:alice ${AclOperations.READ} ${AclPermissionTypes.ALLOW}`]);
    // A bad principal gets the console's precise answer.
    await form.locator('input[name=principal]').fill('alice');
    await form.getByRole('button', { name: 'Create ACL' }).click();
    await page.getByRole('alert').filter({ hasText: 'principal must be TYPE:NAME' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'security-acls.png') });
    await page.getByRole('button', { name: 'Delete ACL User:alice READ TOPIC orders' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Deleted ACL: User:alice ALLOW READ on TOPIC orders' })
      .waitFor();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual(await aclsOnOrders(), []);
  });

  it('creates a SCRAM user, who can then log in, and deletes it', async () => {
    await page.goto(`${console_.url}/#/security`);
    await page.locator('input[name=name]').fill('erin');
    await page.locator('input[name=password]').fill('erin-pw');
    await page.getByRole('button', { name: 'Save user' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved user erin.' }).waitFor();
    const row = page.getByTestId('users').locator('tbody tr', { hasText: 'erin' });
    await row.waitFor();
    const res = await fetch(`${console_.url}/api/session`, {
      headers: { authorization: `Basic ${Buffer.from('erin:erin-pw').toString('base64')}` },
    });
    assert.equal(res.status, 200, 'erin logs in to the console');
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted user erin.' }).waitFor();
    await row.waitFor({ state: 'detached' });
    const users = await describeScramUsers(
      { bootstrapBrokers: [bootstrap], sasl: adminSasl },
      'console-test',
    );
    assert.deepEqual(users.map((u) => u.user).sort(), ['admin', 'alice']);
  });

  it('shows the broker’s refusal to a user without rights', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'alice', password: 'alice-pw' },
    });
    const alice = await context.newPage();
    await alice.goto(`${console_.url}/#/security`);
    await alice
      .getByText(/CLUSTER_AUTHORIZATION_FAILED/)
      .first()
      .waitFor();
    await context.close();
  });
});
