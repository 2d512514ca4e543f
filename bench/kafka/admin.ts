/**
 * Topic setup for the benchmark over our own codec: create a topic and wait until it is served;
 * delete it afterwards (its files go, so dirty pages are dropped rather than written back).
 */
import { ErrorCode } from '../../src/protocol/errors.ts';
import { sleep } from '../lib/net.ts';
import { KafkaConn } from './conn.ts';
import {
  createTopicsFrame,
  decodeCreateTopics,
  decodeMetadata,
  deleteTopicsFrame,
  metadataFrame,
} from './frames.ts';

export async function createTopic(conn: KafkaConn, name: string, partitions: number): Promise<void> {
  const res = decodeCreateTopics(await conn.request(createTopicsFrame(name, partitions, 1), 120000));
  const t = res.topics[0];
  if (t && t.errorCode !== 0 && t.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
    throw new Error(`CreateTopics ${name}: error ${t.errorCode} ${t.errorMessage ?? ''}`);
  }
  for (let i = 0; i < 100; i++) {
    const md = decodeMetadata(await conn.request(metadataFrame([name], 2)));
    const topic = md.topics[0];
    if (topic && topic.errorCode === 0 && topic.partitions.length === partitions) return;
    await sleep(50);
  }
  throw new Error(`topic ${name} did not appear with ${partitions} partitions`);
}

export async function deleteTopic(port: number, name: string): Promise<void> {
  const conn = await KafkaConn.open(port);
  try {
    await conn.request(deleteTopicsFrame(name, 3), 120000);
  } finally {
    conn.close();
  }
}

export async function createTopicOn(port: number, name: string, partitions: number): Promise<void> {
  const conn = await KafkaConn.open(port);
  try {
    await createTopic(conn, name, partitions);
  } finally {
    conn.close();
  }
}
