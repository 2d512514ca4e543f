/**
 * multi-org: three organisations keep contacts in their own PostgreSQL schemas, each customised its
 * own way; their changes stream through CDC into per-org topics, a streams app normalises them into
 * one canonical shape whose JSON Schema is registered in the schema registry (records that fail it go
 * to a dead-letter topic with the reason), the canonical records are upserted into the QC
 * application's database, and what QC approves flows back into each org's schema.
 *
 *   org_acme.contacts    (full_name, email, phone)                ─┐ CDC source
 *   org_globex.contacts  (first_name, last_name, email_address,   ─┼──► orgs.org_<org>.contacts
 *                         mobile)                                  │        │ streams app: normalise +
 *   org_initech.contacts (name, mail, tel_country, tel_number)   ─┘        │ validate (JSON Schema)
 *                                                                          ▼
 *          contacts-dlt  {org, record, reason}  ◄── invalid ──   contacts-canonical (registry wire format)
 *                                                                          │ PostgreSQL sink (JsonSchemaConverter)
 *                                                                          ▼
 *                                                       database multiorg_qc, table contacts
 *                                                                          │ QC reviewer (approves)
 *                                                                          ▼ samsa/emit → qc-approved-<org>
 *                                          org_<org>.qc_results  ◄── PostgreSQL sink (RegexRouter)
 *
 *   npx samsa demo multi-org [--duration 30]
 */
import { join } from 'node:path';
import pg from 'pg';
import { createEmitter } from 'samsa/emit';
import { SchemaSerializer } from 'samsa/registry';
import { KafkaStreams, type KStream, Serdes, StreamsBuilder } from 'samsa/streams';
import { connectorProblems, ensureTopics, putConnectors, startPlatform } from '../demo-kit/platform.ts';
import { runDemo } from '../demo-kit/run-demo.ts';
import { dropReplicationSlot, startPostgres } from '../demo-kit/services.ts';

const CANONICAL = 'contacts-canonical';
const DLT = 'contacts-dlt';
const QC_DB = 'multiorg_qc';
const INSERTS_PER_SECOND = 30;

/** The one shape every org's contacts become (registered as contacts-canonical-value). */
const CANONICAL_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Contact',
  type: 'object',
  properties: {
    contact_key: { type: 'string' },
    org: { type: 'string' },
    source_id: { type: 'integer' },
    name: { type: 'string', minLength: 1 },
    email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$' },
    phone: { type: 'string' },
  },
  required: ['contact_key', 'org', 'source_id', 'name', 'email', 'phone'],
  additionalProperties: false,
};

interface Contact {
  contact_key: string;
  org: string;
  source_id: number;
  name: string;
  email: string;
  phone: string;
}

type Row = Record<string, unknown>;

/** Each org's table and how its rows map to the canonical shape. */
const ORGS: Record<
  string,
  {
    ddl: string;
    insert: (i: number, bad: boolean) => [string, unknown[]];
    normalise: (r: Row) => Omit<Contact, 'contact_key' | 'org'>;
  }
> = {
  acme: {
    ddl: 'id serial PRIMARY KEY, full_name text, email text, phone text, tier text',
    insert: (i, bad) => [
      'INSERT INTO org_acme.contacts (full_name, email, phone, tier) VALUES ($1, $2, $3, $4)',
      [`Ada Acme ${i}`, bad ? `ada${i}-at-acme` : `ada${i}@acme.com`, `+1 555 01${i % 100}`, 'gold'],
    ],
    normalise: (r) => ({
      source_id: Number(r.id),
      name: String(r.full_name ?? ''),
      email: String(r.email ?? ''),
      phone: String(r.phone ?? ''),
    }),
  },
  globex: {
    ddl: 'id serial PRIMARY KEY, first_name text, last_name text, email_address text, mobile text, region text',
    insert: (i, bad) => [
      'INSERT INTO org_globex.contacts (first_name, last_name, email_address, mobile, region) VALUES ($1, $2, $3, $4, $5)',
      [
        bad ? '' : `Hank`,
        bad ? '' : `Scorpio ${i}`,
        `hank${i}@globex.example`,
        i % 4 === 1 ? '' : `+1 555 02${i % 100}`,
        'west',
      ],
    ],
    normalise: (r) => ({
      source_id: Number(r.id),
      name: `${r.first_name ?? ''} ${r.last_name ?? ''}`.trim(),
      email: String(r.email_address ?? ''),
      phone: String(r.mobile ?? ''),
    }),
  },
  initech: {
    ddl: 'id serial PRIMARY KEY, name text, mail text, tel_country text, tel_number text, flair_pieces int',
    insert: (i, bad) => [
      'INSERT INTO org_initech.contacts (name, mail, tel_country, tel_number, flair_pieces) VALUES ($1, $2, $3, $4, $5)',
      [`Peter Initech ${i}`, bad ? null : `peter${i}@initech.example`, '+1', `555 03${i % 100}`, 15],
    ],
    normalise: (r) => ({
      source_id: Number(r.id),
      name: String(r.name ?? ''),
      email: String(r.mail ?? ''),
      phone: `${r.tel_country ?? ''} ${r.tel_number ?? ''}`.trim(),
    }),
  },
};

await runDemo('multi-org', async (demo) => {
  // On a PostgreSQL of yours, the replication slot goes once Samsa (and the connector) stopped.
  const given = demo.given.postgresUrl;
  if (given) demo.onStop(() => dropReplicationSlot(given, 'multi_org_demo'));
  const [platform, postgres] = await Promise.all([
    startPlatform({ dataDir: join(demo.dir, 'samsa'), ...demo.given }),
    startPostgres(join(demo.dir, 'postgres'), demo.given.postgresUrl),
  ]);
  demo.onStop(() => platform.stop());
  demo.onStop(() => postgres.stop());
  demo.log(
    `Samsa on ${platform.bootstrap}, registry on ${platform.registryUrl}, PostgreSQL on ${postgres.url}`,
  );

  // 1. The orgs' schemas, and the QC database.
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  db.on('error', (err) => demo.log(`PostgreSQL connection lost: ${err.message}`));
  demo.onStop(() => db.end());
  for (const [org, { ddl }] of Object.entries(ORGS)) {
    await db.query(`DROP SCHEMA IF EXISTS org_${org} CASCADE; CREATE SCHEMA org_${org};
      CREATE TABLE org_${org}.contacts (${ddl});
      CREATE TABLE org_${org}.qc_results (source_id bigint PRIMARY KEY, status text NOT NULL, reviewed_at text NOT NULL)`);
  }
  await db.query(`DROP DATABASE IF EXISTS ${QC_DB} WITH (FORCE)`);
  await db.query(`CREATE DATABASE ${QC_DB}`);
  const qcUrl = new URL(postgres.url);
  qcUrl.pathname = `/${QC_DB}`;
  const qc = new pg.Client({ connectionString: qcUrl.toString() });
  await qc.connect();
  qc.on('error', (err) => demo.log(`PostgreSQL connection lost: ${err.message}`));
  demo.onStop(() => qc.end());
  await qc.query('CREATE TABLE reviews (contact_key text PRIMARY KEY, status text NOT NULL)');
  demo.log(`schemas org_acme, org_globex, org_initech and database ${QC_DB} ready`);

  // 2. The canonical schema, registered (the serializer registers it on first use).
  const canonical = new SchemaSerializer({
    registry: platform.registryUrl,
    format: 'jsonschema',
    schema: CANONICAL_SCHEMA,
  });
  await canonical.serialize(CANONICAL, {
    contact_key: 'x:0',
    org: 'x',
    source_id: 0,
    name: 'x',
    email: 'x@x.io',
    phone: '',
  });
  const registered = (await (
    await fetch(`${platform.registryUrl}/subjects/${CANONICAL}-value/versions/latest`)
  ).json()) as { id: number; version: number };
  demo.log(
    `canonical JSON Schema registered: subject ${CANONICAL}-value, version ${registered.version}, id ${registered.id}`,
  );

  // 3. The streams app: per-org topics → canonical or DLT.
  const orgTopics = Object.keys(ORGS).map((org) => `orgs.org_${org}.contacts`);
  await ensureTopics(platform.bootstrap, [
    ...orgTopics.map((name) => ({ name, partitions: 1 })),
    { name: CANONICAL, partitions: 3 },
    { name: DLT, partitions: 1 },
    ...Object.keys(ORGS).map((org) => ({ name: `qc-approved-${org}`, partitions: 1 })),
  ]);
  type Outcome = { key: string; bytes?: Buffer; dead?: { org: string; record: Row; reason: string } };
  const builder = new StreamsBuilder();
  let merged: KStream<string, Outcome> | undefined;
  for (const [org, { normalise }] of Object.entries(ORGS)) {
    const stream = builder
      .stream(`orgs.org_${org}.contacts`, { keySerde: Serdes.String(), valueSerde: Serdes.JSON<Row>() })
      .filter((_k, row) => row !== null)
      .map((_k, row) => {
        const contact: Contact = { contact_key: `${org}:${row.id}`, org, ...normalise(row) };
        try {
          const bytes = canonical.serializeSync(CANONICAL, contact)!; // validates against the schema
          return { key: contact.contact_key, value: { key: contact.contact_key, bytes } as Outcome };
        } catch (err) {
          const reason = (err as Error).message;
          return {
            key: contact.contact_key,
            value: { key: contact.contact_key, dead: { org, record: row, reason } } as Outcome,
          };
        }
      });
    merged = merged ? merged.merge(stream) : stream;
  }
  merged!
    .filter((_k, o) => o.bytes !== undefined)
    .mapValues((o): Buffer => o.bytes!)
    .to(CANONICAL, { keySerde: Serdes.String(), valueSerde: Serdes.ByteArray() });
  merged!
    .filter((_k, o) => o.dead !== undefined)
    .mapValues((o) => JSON.stringify(o.dead))
    .to(DLT, { keySerde: Serdes.String(), valueSerde: Serdes.String() });
  const streams = new KafkaStreams(
    builder.build(),
    {
      'application.id': 'multi-org-normalise',
      'bootstrap.servers': platform.bootstrap,
      'state.dir': join(demo.dir, 'streams-state'),
      'commit.interval.ms': 500,
    },
    { handleSignals: false }, // the demo closes it in order on Ctrl-C
  );
  demo.onStop(() => streams.close());

  // 4. Connectors: CDC from the orgs, canonical → QC, approved → orgs.
  const pgUrl = new URL(postgres.url);
  const schemaless = {
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  };
  await Promise.all([
    streams.start(),
    putConnectors(platform, {
      'orgs-cdc': {
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        'database.hostname': pgUrl.hostname,
        'database.port': pgUrl.port,
        'database.user': decodeURIComponent(pgUrl.username),
        'database.password': decodeURIComponent(pgUrl.password),
        'database.dbname': pgUrl.pathname.slice(1),
        'topic.prefix': 'orgs',
        'plugin.name': 'pgoutput',
        'slot.name': 'multi_org_demo',
        'publication.name': 'multi_org_demo',
        'publication.autocreate.mode': 'filtered',
        'table.include.list': Object.keys(ORGS)
          .map((org) => `org_${org}.contacts`)
          .join(','),
        transforms: 'unwrap',
        'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
        ...schemaless,
      },
      'canonical-to-qc': {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': qcUrl.toString(),
        topics: CANONICAL,
        'table.name.format': 'contacts',
        'insert.mode': 'upsert',
        'pk.mode': 'record_value',
        'pk.fields': 'contact_key',
        'auto.create': 'true',
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'io.confluent.connect.json.JsonSchemaConverter',
        'value.converter.schema.registry.url': platform.registryUrl,
      },
      'approved-to-orgs': {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': postgres.url,
        'topics.regex': 'qc-approved-.*',
        transforms: 'org',
        'transforms.org.type': 'org.apache.kafka.connect.transforms.RegexRouter',
        'transforms.org.regex': 'qc-approved-(.*)',
        'transforms.org.replacement': '$1',
        'table.name.format': `org_\${topic}.qc_results`, // ${topic}: the sink's placeholder
        'insert.mode': 'upsert',
        'pk.mode': 'record_value',
        'pk.fields': 'source_id',
        ...schemaless,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      },
    }),
  ]);
  demo.log(
    'streams app multi-org-normalise and connectors orgs-cdc, canonical-to-qc, approved-to-orgs running',
  );
  demo.log(`canonical records: npx samsa topics:tail ${CANONICAL} --bootstrap ${platform.bootstrap}`);
  demo.log(`rejected, with why: npx samsa topics:tail ${DLT} --bootstrap ${platform.bootstrap}`);
  demo.log(`the schema:         curl ${platform.registryUrl}/subjects/${CANONICAL}-value/versions/latest`);
  demo.log(`the QC database:    psql ${qcUrl} -c 'SELECT * FROM contacts LIMIT 5'`);

  // 5. The QC reviewer: approves the contacts it has not seen (those with a phone number).
  const emitter = createEmitter({ bootstrap: platform.bootstrap, source: '/demo/qc' });
  demo.onStop(() => emitter.close().then(() => {}));
  let approved = 0;
  let rejected = 0;
  let reviewing: Promise<number> = Promise.resolve(0);
  const review = (): Promise<number> => {
    reviewing = reviewing.then(reviewOnce, reviewOnce);
    return reviewing;
  };
  const reviewOnce = async (): Promise<number> => {
    const { rows } = await qc
      .query<Contact>(
        'SELECT c.* FROM contacts c LEFT JOIN reviews r USING (contact_key) WHERE r.contact_key IS NULL LIMIT 500',
      )
      .catch(() => ({ rows: [] as Contact[] })); // until the sink created the table
    for (const c of rows) {
      const ok = c.phone.length >= 6;
      await qc.query('INSERT INTO reviews VALUES ($1, $2)', [c.contact_key, ok ? 'approved' : 'rejected']);
      if (!ok) {
        rejected++;
        continue;
      }
      approved++;
      emitter.emit(
        'qc.approved',
        { source_id: Number(c.source_id), status: 'approved', reviewed_at: new Date().toISOString() },
        { topic: `qc-approved-${c.org}`, key: c.contact_key },
      );
    }
    return rows.length;
  };
  const reviewer = setInterval(() => void review().catch((err) => demo.log(`QC reviewer: ${err}`)), 500);
  demo.onStop(() => clearInterval(reviewer));

  // 6. Load: each org's users add contacts; about one in ten is broken in that org's own way.
  const inserted = new Map<string, { valid: number; invalid: number }>(
    Object.keys(ORGS).map((o) => [o, { valid: 0, invalid: 0 }]),
  );
  const counts = async () => {
    const qcRows = Number(
      (await qc.query('SELECT count(*) AS n FROM contacts').catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n,
    );
    let backInOrgs = 0;
    for (const org of Object.keys(ORGS))
      backInOrgs += Number((await db.query(`SELECT count(*) AS n FROM org_${org}.qc_results`)).rows[0].n);
    return { qcRows, backInOrgs };
  };
  const report = setInterval(async () => {
    const c = await counts().catch(() => ({ qcRows: 0, backInOrgs: 0 }));
    const total = [...inserted.values()].reduce((n, v) => n + v.valid + v.invalid, 0);
    demo.log(
      `contacts inserted ${total} | in QC db ${c.qcRows} | approved ${approved}, rejected ${rejected} | approvals back in org tables ${c.backInOrgs}`,
    );
  }, 5_000);
  demo.onStop(() => clearInterval(report));
  demo.generating(`inserting ${INSERTS_PER_SECOND} contacts/s across ${Object.keys(ORGS).length} orgs`);
  let i = 0;
  while (!demo.stopping.aborted) {
    for (let n = 0; n < INSERTS_PER_SECOND / 10; n++, i++) {
      const org = Object.keys(ORGS)[i % 3]!;
      const bad = i % 10 === 7;
      const [sql, params] = ORGS[org]!.insert(i, bad);
      await db.query(sql, params);
      inserted.get(org)![bad ? 'invalid' : 'valid']++;
    }
    await demo.sleep(100);
  }

  // 7. Stopped: wait until every valid contact is in QC and every approval is back in its org.
  demo.log('load stopped; waiting for QC and the write-back to catch up');
  const valid = [...inserted.values()].reduce((n, v) => n + v.valid, 0);
  const invalid = [...inserted.values()].reduce((n, v) => n + v.invalid, 0);
  // Only this loop reviews from here on. A pass counts the contacts in QC first, so the review
  // that follows covers them all; it is done once a review finds nothing new and every approval
  // is back (a contact reaching QC between the review and the count waits for the next pass).
  clearInterval(reviewer);
  const final = await demo.waitFor(async () => {
    const inQc = (await counts()).qcRows;
    const reviewed = await review();
    await emitter.flush(5_000);
    const c = await counts();
    return inQc >= valid && reviewed === 0 && c.backInOrgs >= approved ? c : null;
  }, 30_000);
  await reviewing.catch(() => 0);
  clearInterval(report);
  if (!final)
    for (const p of await connectorProblems(platform.connectUrl)) demo.log(`connector problem: ${p}`);
  const last = final ?? (await counts());
  return {
    'contacts inserted (valid)': valid,
    'contacts inserted (invalid)': invalid,
    'canonical schema id': registered.id,
    'contacts in the QC database': last.qcRows,
    'approved by QC': approved,
    'rejected by QC': rejected,
    'approvals back in org tables': last.backInOrgs,
    'dead-letter topic': DLT,
    'caught up': final ? 'yes' : 'no',
  };
});
