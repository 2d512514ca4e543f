/**
 * `io.confluent.connect.json.JsonSchemaConverter`: Connect data ⇄ JSON Schema-validated JSON in the
 * schema registry wire format, as Confluent's converter does — the record's Connect schema becomes
 * a JSON Schema (./json-schema-data.ts) registered under the subject, values are validated and
 * written as JSON; reading turns the writer schema back into a Connect schema and the JSON into
 * Connect values. Not implemented: `$ref`s to other subjects when reading.
 */

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
  connectSchemaFromJson,
  connectValueFromJson,
  jsonSchemaFromConnect,
  jsonValueFromConnect,
} from './json-schema-data.ts';
import {
  REGISTRY_CONVERTER_CONFIG,
  type RegistryConverterSettings,
  registryConverterSettings,
} from './registry-converter-config.ts';

export class JsonSchemaConverter implements Converter {
  private settings: RegistryConverterSettings | null = null;
  private isKey = false;
  private readonly writers = new Map<string, SchemaSerializer>();
  private readonly readers = new Map<number, Promise<Schema>>();

  configure(config: ConnectConfig, isKey: boolean): void {
    this.settings = registryConverterSettings(config, isKey);
    this.isKey = isKey;
  }

  private get s(): RegistryConverterSettings {
    if (!this.settings) throw new Error('JsonSchemaConverter used before configure()');
    return this.settings;
  }

  async fromConnectData(
    topic: string,
    _headers: readonly ConnectHeader[],
    schema: Schema | null,
    value: unknown,
  ): Promise<Buffer | null> {
    if (value === null || value === undefined) return null;
    if (schema === null)
      throw new Error(`The JsonSchemaConverter needs a schema to write a record to ${topic}`);
    const text = JSON.stringify(jsonSchemaFromConnect(schema));
    let writer = this.writers.get(text);
    if (!writer) {
      writer = new SchemaSerializer({
        registry: this.s.client,
        format: 'jsonschema',
        schema: text,
        isKey: this.isKey,
        subjectNameStrategy: this.s.strategy,
        autoRegister: this.s.autoRegister,
        useLatestVersion: this.s.useLatestVersion,
        normalize: this.s.normalize,
      });
      this.writers.set(text, writer);
    }
    return writer.serialize(topic, jsonValueFromConnect(schema, value));
  }

  private reader(id: number): Promise<Schema> {
    let reader = this.readers.get(id);
    if (!reader) {
      reader = this.s.client.getSchema(id).then((registered) => {
        if (registered.schemaType !== 'JSON')
          throw new Error(`Schema ${id} is ${registered.schemaType}, not JSON`);
        return connectSchemaFromJson(JSON.parse(registered.schema));
      });
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
    const schema = await this.reader(schemaIdOf(bytes));
    const json = JSON.parse(bytes.subarray(5).toString('utf8')) as unknown;
    return { schema, value: connectValueFromJson(schema, json) };
  }

  async close(): Promise<void> {
    await this.settings?.client.close();
  }
}

export const jsonSchemaConverterPlugin: ConverterPlugin = {
  className: 'io.confluent.connect.json.JsonSchemaConverter',
  aliases: ['JsonSchemaConverter'],
  config: REGISTRY_CONVERTER_CONFIG,
  create: () => new JsonSchemaConverter(),
};
