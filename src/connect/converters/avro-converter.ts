/**
 * `io.confluent.connect.avro.AvroConverter`: Connect data ⇄ Avro in the schema registry wire
 * format, as Confluent's converter does — the record's Connect schema becomes an Avro schema
 * (./avro-data.ts) registered under the subject (or looked up, or the latest used), and bytes are
 * read with the writer schema their id names, turned back into a Connect schema and value.
 */

import { type AvroType, avroType } from '../../registry/serdes/avro.ts';
import { SchemaSerializer } from '../../registry/serdes/serde.ts';
import { schemaIdOf } from '../../registry/serdes/wire.ts';
import type {
  ConnectConfig,
  ConnectHeader,
  Converter,
  ConverterPlugin,
  Schema,
  SchemaAndValue,
} from '../api/index.ts';
import {
  avroSchemaFromConnect,
  avroValueFromConnect,
  connectSchemaFromAvro,
  connectValueFromAvro,
} from './avro-data.ts';
import {
  REGISTRY_CONVERTER_CONFIG,
  type RegistryConverterSettings,
  registryConverterSettings,
} from './registry-converter-config.ts';

export class AvroConverter implements Converter {
  private settings: RegistryConverterSettings | null = null;
  private isKey = false;
  private readonly writers = new Map<string, SchemaSerializer>();
  private readonly readers = new Map<number, Promise<{ type: AvroType; schema: Schema }>>();

  configure(config: ConnectConfig, isKey: boolean): void {
    this.settings = registryConverterSettings(config, isKey);
    this.isKey = isKey;
  }

  private get s(): RegistryConverterSettings {
    if (!this.settings) throw new Error('AvroConverter used before configure()');
    return this.settings;
  }

  async fromConnectData(
    topic: string,
    _headers: readonly ConnectHeader[],
    schema: Schema | null,
    value: unknown,
  ): Promise<Buffer | null> {
    if (value === null || value === undefined) return null;
    if (schema === null) throw new Error(`The AvroConverter needs a schema to write a record to ${topic}`);
    const text = JSON.stringify(avroSchemaFromConnect(schema, { metadata: this.s.connectMetaData }));
    let writer = this.writers.get(text);
    if (!writer) {
      writer = new SchemaSerializer({
        registry: this.s.client,
        format: 'avro',
        schema: text,
        isKey: this.isKey,
        subjectNameStrategy: this.s.strategy,
        autoRegister: this.s.autoRegister,
        useLatestVersion: this.s.useLatestVersion,
        normalize: this.s.normalize,
      });
      this.writers.set(text, writer);
    }
    return writer.serialize(topic, avroValueFromConnect(schema, value));
  }

  private reader(id: number) {
    let reader = this.readers.get(id);
    if (!reader) {
      reader = (async () => {
        const registered = await this.s.client.getSchema(id);
        if (registered.schemaType !== 'AVRO')
          throw new Error(`Schema ${id} is ${registered.schemaType}, not AVRO`);
        const refs = await this.s.client.resolveReferences(registered.references);
        return {
          type: avroType(registered.schema, refs),
          schema: connectSchemaFromAvro(
            JSON.parse(registered.schema),
            refs.map((r) => JSON.parse(r.schema)),
          ),
        };
      })();
      this.readers.set(id, reader);
      reader.catch(() => this.readers.delete(id));
    }
    return reader;
  }

  async toConnectData(
    _topic: string,
    _headers: readonly ConnectHeader[],
    bytes: Buffer | null,
  ): Promise<SchemaAndValue> {
    if (bytes === null) return { schema: null, value: null };
    const { type, schema } = await this.reader(schemaIdOf(bytes));
    return { schema, value: connectValueFromAvro(schema, type.fromBuffer(bytes.subarray(5))) };
  }

  async close(): Promise<void> {
    await this.settings?.client.close();
  }
}

export const avroConverterPlugin: ConverterPlugin = {
  className: 'io.confluent.connect.avro.AvroConverter',
  aliases: ['AvroConverter'],
  config: REGISTRY_CONVERTER_CONFIG,
  create: () => new AvroConverter(),
};
