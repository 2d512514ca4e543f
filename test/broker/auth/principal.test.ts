/** Certificate principals: RFC 2253 names and Kafka's ssl.principal.mapping.rules syntax. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { distinguishedName, principalMapper } from '../../../src/broker/auth/principal.ts';

it('builds the distinguished name most specific first, escaping special characters', () => {
  assert.equal(
    distinguishedName({ C: 'US', O: 'Acme, Inc', CN: 'alice', OU: 'eng' }),
    'CN=alice,OU=eng,O=Acme\\, Inc,C=US',
  );
});

it('maps names with RULE entries tried in order, then DEFAULT', () => {
  const map = principalMapper('RULE:^CN=([a-zA-Z0-9.]*),OU=ops.*$/$1-ops/L,RULE:^CN=([^,]+).*$/$1/,DEFAULT');
  assert.equal(map('CN=Bob,OU=ops,O=Acme'), 'bob-ops');
  assert.equal(map('CN=alice,OU=eng,O=Acme'), 'alice');
  assert.equal(map('O=NoCommonName'), 'O=NoCommonName');
  assert.equal(principalMapper(undefined)('CN=x'), 'CN=x');
  assert.throws(() => principalMapper('RULE:broken'), /invalid principal mapping rules/);
});
