/** docs/protocol.md lists every API the broker serves, with the versions ApiVersions advertises. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { loadAllHandlers } from '../../src/broker/handlers/index.ts';

it('documents every served API and version range', async () => {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/protocol.md'), 'utf8');
  for (const h of await loadAllHandlers()) {
    const versions = h.minVersion === h.maxVersion ? `${h.minVersion}` : `${h.minVersion}-${h.maxVersion}`;
    const row = new RegExp(`^\\|\\s*${h.apiKey}\\s*\\|\\s*${h.name}\\s*\\|\\s*${versions}\\s*\\|`, 'm');
    assert.match(doc, row, `${h.name} (${h.apiKey}) v${versions} documented`);
  }
});
