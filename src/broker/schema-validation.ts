/**
 * Broker-side schema validation (as Confluent Server offers it): a topic with
 * `confluent.value.schema.validation=true` (or `confluent.key.schema.validation=true`) accepts a
 * batch only if every non-null value (key) starts with the schema registry wire format — magic
 * byte 0 and a 4-byte schema id — and that id is registered under the topic's subject
 * (TopicNameStrategy: `<topic>-value` / `<topic>-key`). A failing batch is rejected whole with
 * INVALID_RECORD, naming the record and why.
 *
 * The broker knows no registry: it asks a SchemaIdValidator, which `samsa start` wires to the
 * embedded registry. The validator answers from memory (it must never block the produce path);
 * without one, validated topics refuse records with a message saying so.
 * Not implemented: the Record/TopicRecord subject name strategies.
 */
import { decodeRecordBatch } from '../protocol/records/batch.ts';
import { batchSize } from '../protocol/records/batch-header.ts';

export const KEY_VALIDATION = 'confluent.key.schema.validation';
export const VALUE_VALIDATION = 'confluent.value.schema.validation';

/** What the broker asks of a schema registry. */
export interface SchemaIdValidator {
  /** Whether `id` is a schema id registered under `subject`; answered from memory. */
  isRegistered(subject: string, id: number): boolean;
}

export interface SchemaViolation {
  batchIndex: number;
  message: string;
}

function enabled(configs: Readonly<Record<string, string>>, name: string): boolean {
  return configs[name]?.trim().toLowerCase() === 'true';
}

function check(
  bytes: Buffer | null,
  subject: string,
  what: 'key' | 'value',
  validator: SchemaIdValidator,
): string | null {
  if (bytes === null) return null;
  if (bytes.length < 5 || bytes[0] !== 0)
    return `its ${what} does not start with a schema id (magic byte 0 and a 4-byte id) for subject '${subject}'`;
  const id = bytes.readInt32BE(1);
  if (!validator.isRegistered(subject, id))
    return `its ${what} carries schema id ${id}, which is not registered under subject '${subject}'`;
  return null;
}

/** The first record failing its topic's schema validation, or null (also when validation is off). */
export function findSchemaViolation(
  topic: string,
  configs: Readonly<Record<string, string>>,
  batches: Buffer,
  validator: SchemaIdValidator | undefined,
): SchemaViolation | null {
  const keys = enabled(configs, KEY_VALIDATION);
  const values = enabled(configs, VALUE_VALIDATION);
  if (!keys && !values) return null;
  if (!validator) {
    return {
      batchIndex: 0,
      message: `Topic ${topic} has schema validation enabled but the broker runs without a schema registry`,
    };
  }
  for (let at = 0; at < batches.length; at += batchSize(batches, at)) {
    const { records } = decodeRecordBatch(batches, at, { verifyCrc: false });
    for (const [i, record] of records.entries()) {
      const problem =
        (keys ? check(record.key, `${topic}-key`, 'key', validator) : null) ??
        (values ? check(record.value, `${topic}-value`, 'value', validator) : null);
      if (problem) return { batchIndex: i, message: `Record ${i} of the batch was rejected: ${problem}` };
    }
  }
  return null;
}
