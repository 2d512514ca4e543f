/**
 * Issue 3, done-when 6: group administration over the wire. With two librdkafka members active,
 * kafka-python's admin client lists the group and describes it (state Stable, both members with
 * their client ids and disjoint assignments covering the topic); DeleteGroups is refused with
 * NON_EMPTY_GROUP (68) and OffsetDelete of the subscribed topic with GROUP_SUBSCRIBED_TO_TOPIC
 * (86). Once the members have left: ListGroups shows it Empty, OffsetDelete removes one partition's
 * offset, DeleteGroups removes the group (then GROUP_ID_NOT_FOUND, 69) and its offsets.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { writeDeleteGroupsRequest } from '../../src/protocol/generated/messages/delete-groups-request.ts';
import { readDeleteGroupsResponse } from '../../src/protocol/generated/messages/delete-groups-response.ts';
import { writeListGroupsRequest } from '../../src/protocol/generated/messages/list-groups-request.ts';
import { readListGroupsResponse } from '../../src/protocol/generated/messages/list-groups-response.ts';
import { writeOffsetDeleteRequest } from '../../src/protocol/generated/messages/offset-delete-request.ts';
import { readOffsetDeleteResponse } from '../../src/protocol/generated/messages/offset-delete-response.ts';
import { writeOffsetFetchRequest } from '../../src/protocol/generated/messages/offset-fetch-request.ts';
import { readOffsetFetchResponse } from '../../src/protocol/generated/messages/offset-fetch-response.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { WireClient } from '../broker/kafka-wire.ts';
import { runPython } from '../helpers/run.ts';
import { consumerConfig, PyConsumer, produce, waitFor } from './helpers.ts';

const NON_EMPTY_GROUP = 68;
const GROUP_ID_NOT_FOUND = 69;
const GROUP_SUBSCRIBED_TO_TOPIC = 86;
const TOPIC = 'admin-topic';
const GROUP = 'admin-group';
const ALL = [0, 1, 2, 3, 4, 5];

let broker: TestBroker;
let wire: WireClient;

before(async () => {
  broker = await startBroker({
    numPartitions: 6,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 1000,
  });
  wire = await WireClient.open(broker.port);
  await produce(broker.bootstrap, TOPIC, 0, 600);
});
after(async () => {
  wire?.close();
  await broker?.stop();
});

/** kafka-python (python3-kafka) admin: list, describe or delete groups; prints JSON. */
const ADMIN = `
import sys, json
from kafka import KafkaAdminClient
bootstrap, action, group = sys.argv[1], sys.argv[2], sys.argv[3]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="py-admin")
if action == "describe":
    listed = [list(g) for g in admin.list_consumer_groups()]
    described = []
    for g in admin.describe_consumer_groups([group]):
        described.append({
            "group": g.group, "state": g.state, "protocol_type": g.protocol_type, "protocol": g.protocol,
            "error": g.error_code,
            "members": [{
                "member_id": m.member_id, "client_id": m.client_id, "client_host": m.client_host,
                "topics": list(m.member_metadata.subscription) if m.member_metadata else [],
                "assignment": [[t, sorted(ps)] for (t, ps) in m.member_assignment.assignment] if m.member_assignment else [],
            } for m in g.members],
        })
    print(json.dumps({"listed": listed, "described": described}))
elif action == "delete":
    print(json.dumps([[g, getattr(e, "errno", 0), e.__name__] for (g, e) in admin.delete_consumer_groups([group])]))
admin.close()
`;

async function pyAdmin<T>(action: 'describe' | 'delete'): Promise<T> {
  const r = await runPython(ADMIN, [broker.bootstrap, action, GROUP], 30_000);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

interface Described {
  listed: [string, string][];
  described: {
    group: string;
    state: string;
    protocol_type: string;
    protocol: string;
    error: number;
    members: {
      member_id: string;
      client_id: string;
      client_host: string;
      topics: string[];
      assignment: [string, number[]][];
    }[];
  }[];
}

async function deleteGroups(groups: string[]): Promise<Map<string, number>> {
  const res = readDeleteGroupsResponse(
    await wire.request(42, 2, (w) => writeDeleteGroupsRequest(w, 2, { groupsNames: groups })),
    2,
  );
  return new Map(res.results.map((r) => [r.groupId, r.errorCode]));
}

async function offsetDelete(partitions: number[]) {
  return readOffsetDeleteResponse(
    await wire.request(47, 0, (w) =>
      writeOffsetDeleteRequest(w, 0, {
        groupId: GROUP,
        topics: [{ name: TOPIC, partitions: partitions.map((partitionIndex) => ({ partitionIndex })) }],
      }),
    ),
    0,
  );
}

async function listGroups(states: string[] = []) {
  const res = readListGroupsResponse(
    await wire.request(16, 4, (w) => writeListGroupsRequest(w, 4, { statesFilter: states, typesFilter: [] })),
    4,
  );
  return res.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState }));
}

async function committed(): Promise<Map<number, bigint>> {
  const res = readOffsetFetchResponse(
    await wire.request(9, 7, (w) =>
      writeOffsetFetchRequest(w, 7, {
        groupId: GROUP,
        topics: [{ name: TOPIC, partitionIndexes: ALL }],
        groups: [],
        requireStable: false,
      }),
    ),
    7,
  );
  return new Map((res.topics[0]?.partitions ?? []).map((p) => [p.partitionIndex, p.committedOffset]));
}

it('describes, lists and deletes a group, refusing while it is active', async () => {
  const config = consumerConfig(broker.bootstrap, GROUP, { 'client.id': 'admin-member' });
  const a = new PyConsumer('a', config, { topics: [TOPIC], commit: true });
  const b = new PyConsumer('b', config, { topics: [TOPIC], commit: true });
  try {
    await Promise.all([a.waitAssigned(3, 20_000), b.waitAssigned(3, 20_000)]);
    await waitFor(() => a.records.length + b.records.length >= 600, 20_000, 'the group to read the topic');
    await waitFor(
      async () => [...(await committed()).values()].reduce((s, o) => s + o, 0n) === 600n,
      10_000,
      'commits of all 600 records',
    );

    // Active group: described with members and assignments, listed as Stable.
    const { listed, described } = await pyAdmin<Described>('describe');
    assert.deepEqual(
      listed.find(([g]) => g === GROUP),
      [GROUP, 'consumer'],
    );
    const [g] = described;
    assert.ok(g);
    assert.equal(g.error, 0);
    assert.equal(g.state, 'Stable');
    assert.equal(g.protocol_type, 'consumer');
    assert.match(g.protocol, /range|roundrobin/);
    assert.equal(g.members.length, 2);
    const owned: number[] = [];
    for (const m of g.members) {
      assert.equal(m.client_id, 'admin-member');
      assert.match(m.client_host, /127\.0\.0\.1/);
      assert.deepEqual(m.topics, [TOPIC]);
      assert.equal(m.assignment.length, 1);
      assert.equal(m.assignment[0]![0], TOPIC);
      owned.push(...m.assignment[0]![1]);
    }
    assert.deepEqual(owned.sort(), ALL, 'assignments are disjoint and cover the topic');
    assert.deepEqual(new Set(g.members.map((m) => m.member_id)).size, 2);
    assert.deepEqual(
      (await listGroups(['Stable'])).filter((x) => x.groupId === GROUP),
      [{ groupId: GROUP, protocolType: 'consumer', state: 'Stable' }],
    );
    assert.deepEqual(
      (await listGroups(['Empty'])).filter((x) => x.groupId === GROUP),
      [],
      'state filter',
    );

    // Refused while active.
    assert.deepEqual(await pyAdmin<[string, number, string][]>('delete'), [
      [GROUP, NON_EMPTY_GROUP, 'NonEmptyGroupError'],
    ]);
    assert.equal((await deleteGroups([GROUP])).get(GROUP), NON_EMPTY_GROUP);
    const refused = await offsetDelete([0, 1]);
    assert.equal(refused.errorCode, 0);
    assert.deepEqual(
      refused.topics[0]?.partitions.map((p) => [p.partitionIndex, p.errorCode]),
      [
        [0, GROUP_SUBSCRIBED_TO_TOPIC],
        [1, GROUP_SUBSCRIBED_TO_TOPIC],
      ],
    );
    assert.ok(((await committed()).get(0) ?? -1n) >= 0n, 'offset kept after a refused OffsetDelete');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }

  // Members gone: Empty, and deletion works.
  assert.deepEqual(
    (await listGroups()).filter((x) => x.groupId === GROUP),
    [{ groupId: GROUP, protocolType: 'consumer', state: 'Empty' }],
  );
  const { described } = await pyAdmin<Described>('describe');
  assert.equal(described[0]?.state, 'Empty');
  assert.deepEqual(described[0]?.members, []);

  const before = await committed();
  const deleted = await offsetDelete([0]);
  assert.equal(deleted.errorCode, 0);
  assert.deepEqual(
    deleted.topics[0]?.partitions.map((p) => [p.partitionIndex, p.errorCode]),
    [[0, 0]],
  );
  const afterDelete = await committed();
  assert.equal(afterDelete.get(0), -1n, 'partition 0 offset deleted');
  for (const p of ALL.slice(1)) assert.equal(afterDelete.get(p), before.get(p), `partition ${p} offset kept`);

  assert.deepEqual(await pyAdmin<[string, number, string][]>('delete'), [[GROUP, 0, 'NoError']]);
  assert.deepEqual(
    (await listGroups()).filter((x) => x.groupId === GROUP),
    [],
    'deleted group is not listed',
  );
  for (const p of ALL)
    assert.equal((await committed()).get(p), -1n, `offsets of partition ${p} deleted with the group`);
  assert.equal((await deleteGroups([GROUP])).get(GROUP), GROUP_ID_NOT_FOUND);
  assert.equal((await offsetDelete([1])).errorCode, GROUP_ID_NOT_FOUND);
});
