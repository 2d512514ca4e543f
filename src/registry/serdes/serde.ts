/**
 * Serializers and deserializers for Avro, JSON Schema and Protobuf in Confluent's wire format,
 * talking to a schema registry like Confluent's serializers do:
 *
 * - the subject comes from the topic (TopicNameStrategy, `<topic>-value`/`-key`), the record name
 *   (RecordNameStrategy) or both (TopicRecordNameStrategy), or a function;
 * - the serializer registers its schema under the subject on first use (`autoRegister`, default),
 *   or looks it up (`autoRegister: false`), or uses the subject's latest version
 *   (`useLatestVersion`); the id is then cached, so later records cost only the encoding;
 * - the deserializer reads the id, fetches that schema once and decodes with the schema's own
 *   type (Avro: optionally into a reader schema; Protobuf: the message the indexes point at).
 *
 * JSON Schema values are validated before writing (`validate`, default true) with ajv.
 * `serializer()`/`deserializer()` return plain async `(topic, value)` functions; the streams
 * library's synchronous serdes are in `streams-serde.ts`.
 */
import type avsc from 'avsc';
import { RegistryClient } from '../client.ts';
import { compileJsonSchema } from '../schemas/json/ajv.ts';
import type { ResolvedReference, SchemaReference, SchemaType } from '../schemas/parsed-schema.ts';
import { messageAt } from '../schemas/protobuf/file.ts';
import { type AvroType, type AvroTypeOptions, avroRecordName, avroSchemaText, avroType } from './avro.ts';
import { fromJsonMapping, PROTOBUF_OBJECT_OPTIONS, protobufMessage, protobufSchema } from './protobuf.ts';
import { decodeMessageIndexes, encodeProtobufWire, encodeWire, schemaIdOf } from './wire.ts';

export type SchemaFormat = 'avro' | 'jsonschema' | 'protobuf';

export const FORMAT_TYPES: Record<SchemaFormat, SchemaType> = {
  avro: 'AVRO',
  jsonschema: 'JSON',
  protobuf: 'PROTOBUF',
};

export type SubjectNameStrategy =
  | 'TopicNameStrategy'
  | 'RecordNameStrategy'
  | 'TopicRecordNameStrategy'
  | ((topic: string, isKey: boolean, recordName: string | undefined) => string);

/** A value the serializer cannot write or bytes the deserializer cannot read. */
export class SerializationError extends Error {
  override readonly name = 'SerializationError';
}

export interface SerializerOptions {
  /** A client, or the registry's URL. */
  registry: RegistryClient | string;
  format: SchemaFormat;
  /**
   * Avro: schema JSON text, object or avsc type; JSON Schema: text or object; Protobuf: `.proto`
   * text. Not needed with `schemaId` or `useLatestVersion`.
   */
  schema?: string | object;
  /** Write with this registered schema (Confluent's `use.schema.id`); no registration, no lookup. */
  schemaId?: number;
  /** References of the schema (already registered). */
  references?: SchemaReference[];
  /** Protobuf: the message type to write (default: the file's first message). */
  messageType?: string;
  isKey?: boolean;
  subjectNameStrategy?: SubjectNameStrategy;
  autoRegister?: boolean;
  useLatestVersion?: boolean;
  normalize?: boolean;
  /** JSON Schema: validate values before writing (default true). */
  validate?: boolean;
  avro?: AvroTypeOptions;
  /**
   * Avro: values are in Avro's JSON encoding, as Confluent's REST Proxy takes them — unions
   * wrapped (`{"string": "x"}`, null as null), bytes and fixed as strings of code points 0–255.
   * Plain values (avsc's form) are still taken when they are not valid Avro JSON.
   */
  avroJson?: boolean;
}

export interface DeserializerOptions {
  registry: RegistryClient | string;
  /** When given, records written with another schema type are an error. */
  format?: SchemaFormat;
  /** Avro: the schema to read into (resolved against each writer schema). */
  readerSchema?: string | object;
  avro?: AvroTypeOptions;
  /** JSON Schema: validate values after reading (default false). */
  validate?: boolean;
  /** Avro: answer values in Avro's JSON encoding (wrapped unions, bytes as strings), as Confluent's REST Proxy does. */
  avroJson?: boolean;
}

/** A topic's writer schema as the registry gave it: what an encoder is built from. */
export interface ResolvedWriter {
  id: number;
  text: string;
  refs: ResolvedReference[];
}

/** An id's schema as the registry gave it: what a decoder is built from. */
export interface FetchedSchema {
  schemaType: SchemaType;
  schema: string;
  refs: ResolvedReference[];
}

type Encode = (value: unknown) => Buffer;
type Decode = (bytes: Buffer) => unknown;

function clientOf(registry: RegistryClient | string): RegistryClient {
  return typeof registry === 'string' ? new RegistryClient({ url: registry }) : registry;
}

function subjectFor(
  strategy: SubjectNameStrategy | undefined,
  topic: string,
  isKey: boolean,
  recordName: string | undefined,
): string {
  const suffix = isKey ? 'key' : 'value';
  const s = strategy ?? 'TopicNameStrategy';
  if (typeof s === 'function') return s(topic, isKey, recordName);
  if (s === 'TopicNameStrategy') return `${topic}-${suffix}`;
  if (recordName === undefined) throw new SerializationError(`${s} needs a named record schema`);
  return s === 'RecordNameStrategy' ? recordName : `${topic}-${recordName}`;
}

export function schemaText(format: SchemaFormat, schema: string | object): string {
  if (format === 'avro') return avroSchemaText(schema);
  if (typeof schema === 'string') return schema;
  if (format === 'protobuf') throw new SerializationError('A Protobuf schema is .proto text');
  return JSON.stringify(schema);
}

/** Avro binary of a value in Avro's JSON encoding, else (when it is not) of the plain value. */
function fromAvroJson(json: AvroType, plain: AvroType, value: unknown): Buffer {
  try {
    return json.toBuffer(json.fromString(JSON.stringify(value)));
  } catch (err) {
    try {
      return plain.toBuffer(value);
    } catch {
      throw err;
    }
  }
}

/** How a schema (text + resolved references) writes values. */
function encoderFor(
  format: SchemaFormat,
  id: number,
  text: string,
  refs: readonly ResolvedReference[],
  options: SerializerOptions,
): Encode {
  switch (format) {
    case 'avro': {
      const type = avroType(text, refs, options.avro);
      const json = options.avroJson ? avroType(text, refs, { ...options.avro, wrapUnions: true }) : null;
      return (value) => {
        let body: Buffer;
        try {
          body = json ? fromAvroJson(json, type, value) : type.toBuffer(value);
        } catch (err) {
          throw new SerializationError(`Value does not match the Avro schema: ${(err as Error).message}`);
        }
        return encodeWire(id, body);
      };
    }
    case 'jsonschema': {
      const validate = options.validate === false ? null : compileJsonSchema(JSON.parse(text), refs);
      return (value) => {
        if (validate && !validate(value)) {
          const why = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
          throw new SerializationError(`Value does not match the JSON schema: ${why}`);
        }
        return encodeWire(id, Buffer.from(JSON.stringify(value), 'utf8'));
      };
    }
    case 'protobuf': {
      const { type, indexes } = protobufMessage(protobufSchema(text, refs), options.messageType);
      return (value) => {
        let message: ReturnType<typeof type.fromObject>;
        if (value instanceof type.ctor) message = value as ReturnType<typeof type.fromObject>;
        else {
          const plain = fromJsonMapping(type, value) as Record<string, unknown>;
          const problem = type.verify(plain);
          if (problem)
            throw new SerializationError(`Value does not match ${type.fullName.slice(1)}: ${problem}`);
          message = type.fromObject(plain);
        }
        return encodeProtobufWire(id, indexes, type.encode(message).finish());
      };
    }
  }
}

function recordNameOf(
  format: SchemaFormat,
  text: string,
  refs: readonly ResolvedReference[],
  options: SerializerOptions,
): string | undefined {
  try {
    if (format === 'avro') return avroRecordName(avroType(text, refs, options.avro));
    if (format === 'protobuf')
      return protobufMessage(protobufSchema(text, refs), options.messageType).type.fullName.slice(1);
    const title = (JSON.parse(text) as { title?: unknown }).title;
    return typeof title === 'string' ? title : undefined;
  } catch {
    return undefined;
  }
}

export class SchemaSerializer {
  private readonly options: SerializerOptions;
  private readonly client: RegistryClient;
  private readonly text: string;
  private readonly bySubject = new Map<string, Promise<Encode>>();
  /** Resolved encoders (the synchronous hot path). */
  private readonly ready = new Map<string, Encode>();
  private recordName: Promise<string | undefined> | null = null;

  constructor(options: SerializerOptions) {
    if (options.schema === undefined && options.schemaId === undefined && !options.useLatestVersion)
      throw new SerializationError('A serializer needs a schema, a schemaId or useLatestVersion');
    this.options = options;
    this.client = clientOf(options.registry);
    this.text = options.schema === undefined ? '' : schemaText(options.format, options.schema);
  }

  private async subject(topic: string): Promise<string> {
    if (this.options.schemaId !== undefined) return '';
    const strategy = this.options.subjectNameStrategy;
    const isKey = this.options.isKey ?? false;
    if (strategy === undefined || strategy === 'TopicNameStrategy')
      return subjectFor(strategy, topic, isKey, undefined);
    this.recordName ??= this.client
      .resolveReferences(this.options.references ?? [])
      .then((refs) => recordNameOf(this.options.format, this.text, refs, this.options));
    return subjectFor(strategy, topic, isKey, await this.recordName);
  }

  private async prepare(topic: string): Promise<Encode> {
    return this.build(await this.resolve(topic));
  }

  /** The writer schema for a topic: the registry's part of preparing it (registers when asked to). */
  async resolve(topic: string): Promise<ResolvedWriter> {
    const subject = await this.subject(topic);
    const { format } = this.options;
    const schemaType = FORMAT_TYPES[format];
    let text = this.text;
    let references = this.options.references ?? [];
    let id: number;
    if (this.options.schemaId !== undefined) {
      const registered = await this.client.getSchema(this.options.schemaId);
      if (registered.schemaType !== schemaType)
        throw new SerializationError(
          `Schema ${registered.id} is ${registered.schemaType}, not ${schemaType}`,
        );
      ({ id } = registered);
      text = registered.schema;
      references = registered.references;
    } else if (this.options.useLatestVersion) {
      const latest = await this.client.getVersion(subject, 'latest');
      if (latest.schemaType !== schemaType)
        throw new SerializationError(
          `The latest schema of ${subject} is ${latest.schemaType}, not ${schemaType}`,
        );
      ({ id } = latest);
      text = latest.schema;
      references = latest.references;
    } else {
      const info = { schema: text, schemaType, references };
      const normalize = this.options.normalize ?? false;
      id =
        this.options.autoRegister === false
          ? await this.client.lookupId(subject, info, { normalize })
          : await this.client.register(subject, info, { normalize });
    }
    return { id, text, refs: await this.client.resolveReferences(references) };
  }

  /** The encoder of a resolved writer schema (no I/O). */
  build(writer: ResolvedWriter): Encode {
    return encoderFor(this.options.format, writer.id, writer.text, writer.refs, this.options);
  }

  /** Makes `serializeSync` answer for a topic, given its resolved writer schema. */
  install(topic: string, writer: ResolvedWriter): Encode {
    const encode = this.build(writer);
    this.ready.set(topic, encode);
    return encode;
  }

  /** Wire-format bytes of a value for a topic (null stays null). */
  async serialize(topic: string, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null;
    const encode = this.ready.get(topic);
    if (encode) return encode(value);
    let pending = this.bySubject.get(topic);
    if (!pending) {
      pending = this.prepare(topic);
      this.bySubject.set(topic, pending);
      pending.then(
        (e) => this.ready.set(topic, e),
        () => this.bySubject.delete(topic),
      );
    }
    return (await pending)(value);
  }

  /** The synchronous path once `serialize` has run for the topic (undefined before). */
  serializeSync(topic: string, value: unknown): Buffer | null | undefined {
    if (value === null || value === undefined) return null;
    return this.ready.get(topic)?.(value);
  }
}

export class SchemaDeserializer {
  private readonly options: DeserializerOptions;
  private readonly client: RegistryClient;
  private readonly byId = new Map<number, Promise<Decode>>();
  private readonly ready = new Map<number, Decode>();
  private readerType: AvroType | null = null;

  constructor(options: DeserializerOptions) {
    this.options = options;
    this.client = clientOf(options.registry);
  }

  private async prepare(id: number): Promise<Decode> {
    return this.build(id, await this.fetch(id));
  }

  /** The registry's part of reading an id: its schema and resolved references. */
  async fetch(id: number): Promise<FetchedSchema> {
    const schema = await this.client.getSchema(id);
    return {
      schemaType: schema.schemaType,
      schema: schema.schema,
      refs: await this.client.resolveReferences(schema.references),
    };
  }

  /** Makes `deserializeSync` answer for an id, given its fetched schema. */
  install(id: number, fetched: FetchedSchema): Decode {
    const decode = this.build(id, fetched);
    this.ready.set(id, decode);
    return decode;
  }

  /** The decoder of a fetched schema (no I/O). */
  build(id: number, fetched: FetchedSchema): Decode {
    const { schemaType, refs } = fetched;
    const schema = fetched;
    const expected = this.options.format ? FORMAT_TYPES[this.options.format] : undefined;
    if (expected && schemaType !== expected)
      throw new SerializationError(`Schema ${id} is ${schemaType}, not ${expected}`);
    switch (schemaType) {
      case 'AVRO': {
        if (this.options.avroJson) {
          const wrapped = avroType(schema.schema, refs, { ...this.options.avro, wrapUnions: true });
          return (payload) => JSON.parse(wrapped.toString(wrapped.fromBuffer(payload))) as unknown;
        }
        const writer = avroType(schema.schema, refs, this.options.avro);
        if (this.options.readerSchema !== undefined) {
          this.readerType ??= avroType(avroSchemaText(this.options.readerSchema), [], this.options.avro);
          const reader = this.readerType;
          let resolver: avsc.Resolver;
          try {
            resolver = reader.createResolver(writer);
          } catch (err) {
            throw new SerializationError(
              `Cannot read schema ${id} with the reader schema: ${(err as Error).message}`,
            );
          }
          return (payload) => reader.fromBuffer(payload, resolver);
        }
        return (payload) => writer.fromBuffer(payload);
      }
      case 'JSON': {
        const validate = this.options.validate ? compileJsonSchema(JSON.parse(schema.schema), refs) : null;
        return (payload) => {
          const value = JSON.parse(payload.toString('utf8')) as unknown;
          if (validate && !validate(value))
            throw new SerializationError(
              `Value does not match JSON schema ${id}: ${validate.errors?.[0]?.message ?? ''}`,
            );
          return value;
        };
      }
      case 'PROTOBUF': {
        const file = protobufSchema(schema.schema, refs).file;
        return (payload) => {
          const { indexes, message } = decodeMessageIndexes(payload);
          const type = messageAt(file, indexes);
          if (!type)
            throw new SerializationError(`Schema ${id} has no message at indexes [${indexes.join(', ')}]`);
          return type.toObject(type.decode(message), PROTOBUF_OBJECT_OPTIONS);
        };
      }
    }
  }

  /** The value of wire-format bytes (null stays null). */
  async deserialize(_topic: string, bytes: Buffer | null): Promise<unknown> {
    if (bytes === null) return null;
    const id = schemaIdOf(bytes);
    const decode = this.ready.get(id);
    try {
      if (decode) return decode(bytes.subarray(5));
      let pending = this.byId.get(id);
      if (!pending) {
        pending = this.prepare(id);
        this.byId.set(id, pending);
        pending.then(
          (d) => this.ready.set(id, d),
          () => this.byId.delete(id),
        );
      }
      return (await pending)(bytes.subarray(5));
    } catch (err) {
      if (err instanceof SerializationError) throw err;
      throw new SerializationError(`Cannot decode a record with schema ${id}: ${(err as Error).message}`);
    }
  }

  /** The schema id and type of the last bytes' schema, for callers that print it. */
  async schemaOf(bytes: Buffer): Promise<{ id: number; schemaType: SchemaType }> {
    const id = schemaIdOf(bytes);
    const schema = await this.client.getSchema(id);
    return { id, schemaType: schema.schemaType };
  }

  /** Whether `deserializeSync` can read records with this schema id. */
  knows(id: number): boolean {
    return this.ready.has(id);
  }

  /** The synchronous path once the id has been seen (undefined before). */
  deserializeSync(bytes: Buffer): unknown {
    const decode = this.ready.get(schemaIdOf(bytes));
    return decode === undefined ? undefined : decode(bytes.subarray(5));
  }
}

/** An async `(topic, value) → bytes` function (Kafka's Serializer.serialize). */
export function serializer(
  options: SerializerOptions,
): (topic: string, value: unknown) => Promise<Buffer | null> {
  const s = new SchemaSerializer(options);
  return (topic, value) => s.serialize(topic, value);
}

/** An async `(topic, bytes) → value` function (Kafka's Deserializer.deserialize). */
export function deserializer(
  options: DeserializerOptions,
): (topic: string, bytes: Buffer | null) => Promise<unknown> {
  const d = new SchemaDeserializer(options);
  return (topic, bytes) => d.deserialize(topic, bytes);
}
