/**
 * Compatibility levels and how a candidate schema is checked against a subject's earlier versions
 * (Confluent's `CompatibilityChecker` and `SchemaValidatorBuilder`):
 *
 * - BACKWARD: the candidate (reader, "new") can read data written with the latest version ("old");
 * - FORWARD: the latest version (reader, "old") can read data written with the candidate;
 * - FULL: both; the *_TRANSITIVE levels check every earlier version, newest first, and report the
 *   first one that fails; NONE checks nothing.
 *
 * Messages are the schema type's descriptions with the reader/writer placeholders filled in, then
 * `{oldSchemaVersion: N}` and `{oldSchema: '...'}` for the version that failed (for FULL only after
 * the backward part), and finally `{validateFields: 'false', compatibility: 'LEVEL'}`.
 */
import type { ParsedSchema } from './schemas/parsed-schema.ts';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

export function parseCompatibilityLevel(value: unknown): CompatibilityLevel | null {
  if (typeof value !== 'string') return null;
  const upper = value.toUpperCase();
  return (COMPATIBILITY_LEVELS as readonly string[]).includes(upper) ? (upper as CompatibilityLevel) : null;
}

export interface PreviousVersion {
  version: number;
  schema: ParsedSchema;
}

const MAX_SCHEMA_IN_MESSAGE = 10 * 1024;

function fill(message: string, reader: string, writer: string): string {
  let n = 0;
  return message.replace(/%s/g, () => (n++ === 0 ? reader : writer));
}

function format(
  messages: string[],
  existing: PreviousVersion,
  reader: 'new' | 'old',
  writer: 'new' | 'old',
  appendSchema: boolean,
): string[] {
  if (messages.length === 0) return messages;
  const out = messages.map((m) => fill(m, reader, writer));
  if (appendSchema) {
    out.push(`{oldSchemaVersion: ${existing.version}}`);
    const text = existing.schema.canonical;
    out.push(
      text.length <= MAX_SCHEMA_IN_MESSAGE
        ? `{oldSchema: '${text}'}`
        : `{oldSchema: <truncated to ${MAX_SCHEMA_IN_MESSAGE} characters> '${text.slice(0, MAX_SCHEMA_IN_MESSAGE)}'}`,
    );
  }
  return out;
}

function strategy(level: CompatibilityLevel, candidate: ParsedSchema, existing: PreviousVersion): string[] {
  const backward = () =>
    format(candidate.isBackwardCompatible(existing.schema), existing, 'new', 'old', true);
  const forward = (append: boolean) =>
    format(existing.schema.isBackwardCompatible(candidate), existing, 'old', 'new', append);
  switch (level) {
    case 'BACKWARD':
    case 'BACKWARD_TRANSITIVE':
      return backward();
    case 'FORWARD':
    case 'FORWARD_TRANSITIVE':
      return forward(true);
    case 'FULL':
    case 'FULL_TRANSITIVE':
      return [...forward(false), ...backward()];
    case 'NONE':
      return [];
  }
}

/**
 * Problems keeping `candidate` from joining a subject whose versions are `previous` (oldest first)
 * at `level`; empty when compatible.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: readonly PreviousVersion[],
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const newestFirst = [...previous].reverse();
  const transitive = level.endsWith('_TRANSITIVE');
  const toCheck = transitive ? newestFirst : newestFirst.slice(0, 1);
  for (const existing of toCheck) {
    const messages = strategy(level, candidate, existing);
    if (messages.length > 0) return [...messages, `{validateFields: 'false', compatibility: '${level}'}`];
  }
  return [];
}
