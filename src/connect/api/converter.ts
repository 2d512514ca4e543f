/**
 * Converters, transforms and predicates: the pluggable pieces between Kafka bytes and connect
 * records, after Kafka Connect's `Converter`, `Transformation` and `Predicate`. Each is found by
 * class name (Kafka's, e.g. `org.apache.kafka.connect.json.JsonConverter`,
 * `org.apache.kafka.connect.transforms.InsertField$Value`) in the runtime's plugin registry, and is
 * configured with the connector config's keys under its prefix (`value.converter.schemas.enable` →
 * `schemas.enable`).
 *
 * Converters may be asynchronous (a schema-registry converter fetches schemas it has not seen), but
 * should answer synchronously from cache on the hot path.
 */
import type { ConfigDef } from './config-def.ts';
import type { ConnectConfig } from './connector.ts';
import type { ConnectHeader, ConnectRecord } from './records.ts';
import type { Schema } from './schema.ts';

export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}

export interface Converter {
  /** `isKey`: converting keys (true) or values (false). */
  configure(config: ConnectConfig, isKey: boolean): void | Promise<void>;
  /** Connect data → bytes (null for a null value). */
  fromConnectData(
    topic: string,
    headers: readonly ConnectHeader[],
    schema: Schema | null,
    value: unknown,
  ): Buffer | null | Promise<Buffer | null>;
  /**
   * Optional: the bytes of `fromConnectData` as parts to be written one after another, or as one
   * Buffer. For a converter whose output repeats a constant part (JsonConverter's schema): the
   * source runtime's producer copies that part from the converter's cached bytes straight into its
   * record batch, instead of into each record's own Buffer first. Only record values take this path
   * (keys are hashed for the partition as one Buffer).
   */
  fromConnectDataParts?(
    topic: string,
    headers: readonly ConnectHeader[],
    schema: Schema | null,
    value: unknown,
  ): Buffer | readonly Buffer[] | null | Promise<Buffer | readonly Buffer[] | null>;
  /** Bytes → connect data. Throws on bytes it cannot read (a conversion error under `errors.tolerance`). */
  toConnectData(
    topic: string,
    headers: readonly ConnectHeader[],
    bytes: Buffer | null,
  ): SchemaAndValue | Promise<SchemaAndValue>;
  close?(): void | Promise<void>;
}

export interface ConverterPlugin {
  readonly className: string;
  readonly aliases?: readonly string[];
  readonly config: ConfigDef;
  create(): Converter;
}

/** A single message transform: returns the changed record, or null to drop it. */
export interface Transformation<R extends ConnectRecord = ConnectRecord> {
  configure(config: ConnectConfig): void;
  apply(record: R): R | null;
  close?(): void;
}

export interface TransformationPlugin {
  /** e.g. `org.apache.kafka.connect.transforms.ReplaceField$Value`. */
  readonly className: string;
  readonly aliases?: readonly string[];
  readonly config: ConfigDef;
  create(): Transformation;
}

export interface Predicate<R extends ConnectRecord = ConnectRecord> {
  configure(config: ConnectConfig): void;
  test(record: R): boolean;
}

export interface PredicatePlugin {
  readonly className: string;
  readonly config: ConfigDef;
  create(): Predicate;
}
