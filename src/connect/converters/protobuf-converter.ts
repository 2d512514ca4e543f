/**
 * `io.confluent.connect.protobuf.ProtobufConverter`: Connect structs ⇄ Protobuf messages in the
 * schema registry wire format (with message indexes), as Confluent's converter does — the record's
 * Connect schema becomes a `.proto` file (./protobuf-data.ts) registered under the subject; reading
 * finds the message the indexes point at in the writer's schema and turns it into a Connect struct.
 */
import type protobuf from 'protobufjs';
import { messageAt } from '../../registry/schemas/protobuf/file.ts';
import { PROTOBUF_OBJECT_OPTIONS, protobufSchema } from '../../registry/serdes/protobuf.ts';
import { SchemaSerializer } from '../../registry/serdes/serde.ts';
import { decodeMessageIndexes, schemaIdOf } from '../../registry/serdes/wire.ts';
import type {
  ConnectConfig,
  ConnectHeader,
  Converter,
  ConverterPlugin,
  Schema,
  SchemaAndValue,
} from '../api/index.ts';
import {
  connectValueFromProtobuf,
  messageSchema,
  protobufSchemaFromConnect,
  protobufValueFromConnect,
} from './protobuf-data.ts';
import {
  REGISTRY_CONVERTER_CONFIG,
  type RegistryConverterSettings,
  registryConverterSettings,
} from './registry-converter-config.ts';

export class ProtobufConverter implements Converter {
  private settings: RegistryConverterSettings | null = null;
  private isKey = false;
  private readonly writers = new Map<string, SchemaSerializer>();
  private readonly files = new Map<number, Promise<ReturnType<typeof protobufSchema>>>();
  private readonly schemas = new Map<protobuf.Type, Schema>();

  configure(config: ConnectConfig, isKey: boolean): void {
    this.settings = registryConverterSettings(config, isKey);
    this.isKey = isKey;
  }

  private get s(): RegistryConverterSettings {
    if (!this.settings) throw new Error('ProtobufConverter used before configure()');
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
      throw new Error(`The ProtobufConverter needs a schema to write a record to ${topic}`);
    const { text, messageType } = protobufSchemaFromConnect(schema);
    let writer = this.writers.get(text);
    if (!writer) {
      writer = new SchemaSerializer({
        registry: this.s.client,
        format: 'protobuf',
        schema: text,
        messageType,
        isKey: this.isKey,
        subjectNameStrategy: this.s.strategy,
        autoRegister: this.s.autoRegister,
        useLatestVersion: this.s.useLatestVersion,
        normalize: this.s.normalize,
      });
      this.writers.set(text, writer);
    }
    return writer.serialize(topic, protobufValueFromConnect(schema, value));
  }

  private file(id: number) {
    let file = this.files.get(id);
    if (!file) {
      file = (async () => {
        const registered = await this.s.client.getSchema(id);
        if (registered.schemaType !== 'PROTOBUF')
          throw new Error(`Schema ${id} is ${registered.schemaType}, not PROTOBUF`);
        return protobufSchema(
          registered.schema,
          await this.s.client.resolveReferences(registered.references),
        );
      })();
      this.files.set(id, file);
      file.catch(() => this.files.delete(id));
    }
    return file;
  }

  async toConnectData(
    _topic: string,
    _headers: readonly ConnectHeader[],
    bytes: Buffer | null,
  ): Promise<SchemaAndValue> {
    if (bytes === null) return { schema: null, value: null };
    const id = schemaIdOf(bytes);
    const { file } = await this.file(id);
    const { indexes, message } = decodeMessageIndexes(bytes.subarray(5));
    const type = messageAt(file, indexes);
    if (!type) throw new Error(`Schema ${id} has no message at indexes [${indexes.join(', ')}]`);
    let schema = this.schemas.get(type);
    if (!schema) this.schemas.set(type, (schema = messageSchema(type)));
    const object = type.toObject(type.decode(message), PROTOBUF_OBJECT_OPTIONS);
    return { schema, value: connectValueFromProtobuf(schema, object) };
  }

  async close(): Promise<void> {
    await this.settings?.client.close();
  }
}

export const protobufConverterPlugin: ConverterPlugin = {
  className: 'io.confluent.connect.protobuf.ProtobufConverter',
  aliases: ['ProtobufConverter'],
  config: REGISTRY_CONVERTER_CONFIG,
  create: () => new ProtobufConverter(),
};
