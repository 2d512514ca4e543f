/**
 * Avro schema resolution as a compatibility check: can a reader with schema R read data written
 * with schema W? The rules are the specification's "Schema Resolution" section, checked the way
 * Java's `SchemaCompatibility.checkReaderWriterCompatibility` (which Confluent uses) reports them:
 *
 * - same primitive type; promotions int→long/float/double, long→float/double, float→double,
 *   string↔bytes;
 * - records, enums and fixed match by unqualified name or a reader alias of the writer's full name;
 *   fixed sizes equal; every writer enum symbol in the reader unless the reader has a default;
 *   every reader field present in the writer (by name or reader alias) or having a default, and
 *   matching field types resolving;
 * - a writer union: every branch must resolve; a reader union (writer not a union): some branch must;
 * - arrays and maps: items and values resolve.
 *
 * Each problem is an incompatibility with Java's type names (`READER_FIELD_MISSING_DEFAULT_VALUE`,
 * `TYPE_MISMATCH`, ...), its location (`/fields/1/type`) and Java's detail message; Confluent's
 * `Difference` wording turns them into the registry's messages. Recursive schemas are handled by
 * treating a pair already being checked as compatible.
 */
import { type AvroSchema, isNamed, type NamedSchema, typeName } from './model.ts';

export type IncompatibilityType =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

export interface Incompatibility {
  type: IncompatibilityType;
  /** `/`-separated location in the reader schema, `/` for the root. */
  location: string;
  /** Java's detail: the field name, the missing symbols, `reader type: X not compatible with ...`. */
  message: string;
}

const PROMOTIONS: Record<string, readonly string[]> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  bytes: ['string'],
  string: ['bytes'],
};

function upper(schema: AvroSchema): string {
  return typeName(schema).toUpperCase();
}

class Checker {
  private readonly location: string[] = [];
  private readonly inProgress = new Map<AvroSchema, Set<AvroSchema>>();

  private here(): string {
    return `/${this.location.join('/')}`;
  }

  private at<T>(segment: string, fn: () => T): T {
    this.location.push(segment);
    try {
      return fn();
    } finally {
      this.location.pop();
    }
  }

  check(reader: AvroSchema, writer: AvroSchema): Incompatibility[] {
    let writers = this.inProgress.get(reader);
    if (writers?.has(writer)) return [];
    if (!writers) this.inProgress.set(reader, (writers = new Set()));
    writers.add(writer);
    try {
      return this.compare(reader, writer);
    } finally {
      writers.delete(writer);
    }
  }

  private mismatch(reader: AvroSchema, writer: AvroSchema): Incompatibility[] {
    return [
      {
        type: 'TYPE_MISMATCH',
        location: this.here(),
        message: `reader type: ${upper(reader)} not compatible with writer type: ${upper(writer)}`,
      },
    ];
  }

  private compare(reader: AvroSchema, writer: AvroSchema): Incompatibility[] {
    if (reader.kind === writer.kind && (reader.kind !== 'primitive' || upper(reader) === upper(writer))) {
      switch (reader.kind) {
        case 'primitive':
          return [];
        case 'array':
          return this.at('items', () => this.check(reader.items, (writer as typeof reader).items));
        case 'map':
          return this.at('values', () => this.check(reader.values, (writer as typeof reader).values));
        case 'fixed': {
          const w = writer as typeof reader;
          const names = this.names(reader, w);
          if (reader.size === w.size) return names;
          return this.at('size', () => [
            ...names,
            {
              type: 'FIXED_SIZE_MISMATCH',
              location: this.here(),
              message: `expected: ${w.size}, found: ${reader.size}`,
            },
          ]);
        }
        case 'enum': {
          const w = writer as typeof reader;
          const names = this.names(reader, w);
          const missing = w.symbols.filter((s) => !reader.symbols.includes(s)).sort();
          if (
            missing.length === 0 ||
            (reader.default !== undefined && reader.symbols.includes(reader.default))
          )
            return names;
          return this.at('symbols', () => [
            ...names,
            { type: 'MISSING_ENUM_SYMBOLS', location: this.here(), message: `[${missing.join(', ')}]` },
          ]);
        }
        case 'record': {
          const w = writer as typeof reader;
          return [...this.names(reader, w), ...this.fields(reader, w)];
        }
        case 'union': {
          const out: Incompatibility[] = [];
          (writer as typeof reader).types.forEach((branch, i) => {
            this.at(String(i), () => {
              if (this.check(reader, branch).length > 0) {
                out.push({
                  type: 'MISSING_UNION_BRANCH',
                  location: this.here(),
                  message: `reader union lacking writer type: ${upper(branch)}`,
                });
              }
            });
          });
          return out;
        }
      }
    }
    if (writer.kind === 'union') return writer.types.flatMap((branch) => this.check(reader, branch));
    if (reader.kind === 'primitive' && writer.kind === 'primitive') {
      return PROMOTIONS[reader.type]?.includes(writer.type) ? [] : this.mismatch(reader, writer);
    }
    if (reader.kind === 'union') {
      if (reader.types.some((branch) => this.check(branch, writer).length === 0)) return [];
      return [
        {
          type: 'MISSING_UNION_BRANCH',
          location: this.here(),
          message: `reader union lacking writer type: ${upper(writer)}`,
        },
      ];
    }
    return this.mismatch(reader, writer);
  }

  private names(reader: NamedSchema, writer: NamedSchema): Incompatibility[] {
    if (reader.name === writer.name || reader.aliases.includes(writer.fullName)) return [];
    return this.at('name', () => [
      { type: 'NAME_MISMATCH', location: this.here(), message: `expected: ${writer.fullName}` },
    ]);
  }

  private fields(reader: NamedSchema & { kind: 'record' }, writer: typeof reader): Incompatibility[] {
    return this.at('fields', () =>
      reader.fields.flatMap((field, index) =>
        this.at(String(index), () => {
          const written =
            writer.fields.find((f) => f.name === field.name) ??
            writer.fields.find((f) => field.aliases.includes(f.name));
          if (written) return this.at('type', () => this.check(field.type, written.type));
          if (field.hasDefault) return [];
          if (field.type.kind === 'enum' && field.type.default !== undefined)
            return this.at('type', () => this.check(field.type, writer));
          return [
            { type: 'READER_FIELD_MISSING_DEFAULT_VALUE', location: this.here(), message: field.name },
          ] as Incompatibility[];
        }),
      ),
    );
  }
}

/** Every reason `reader` cannot read data written with `writer` (empty: compatible). */
export function avroIncompatibilities(reader: AvroSchema, writer: AvroSchema): Incompatibility[] {
  return new Checker().check(reader, writer);
}

/** Confluent's message for one incompatibility, `%s` standing for the reader's and writer's side. */
export function describeIncompatibility(i: Incompatibility): string {
  const path = i.location;
  let description = '';
  switch (i.type) {
    case 'FIXED_SIZE_MISMATCH':
      description = `The size of FIXED type field at path '${path}' in the %s schema does not match with the %s schema`;
      break;
    case 'TYPE_MISMATCH':
      description = `The type (path '${path}') of a field in the %s schema does not match with the %s schema`;
      break;
    case 'NAME_MISMATCH':
      description = `The name of the schema has changed (path '${path}')`;
      break;
    case 'MISSING_ENUM_SYMBOLS':
      description = `The %s schema is missing enum symbols '${i.message}' at path '${path}' in the %s schema`;
      break;
    case 'MISSING_UNION_BRANCH':
      description = `The %s schema is missing a type inside a union field at path '${path}' in the %s schema`;
      break;
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      description = `The field '${i.message}' at path '${path}' in the %s schema has no default value and is missing in the %s schema`;
      break;
  }
  return `{errorType:'${i.type}', description:'${description}', additionalInfo:'${i.message}'}`;
}

export { isNamed };
