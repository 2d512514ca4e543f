// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${topic} and ${timestamp} are Kafka's placeholders
/**
 * Topic routers: `org.apache.kafka.connect.transforms.RegexRouter` (`regex` must match the whole
 * topic; `replacement` with `$1` groups) and `TimestampRouter` (`topic.format` with `${topic}` and
 * `${timestamp}`, `timestamp.format` in Java's SimpleDateFormat letters y M d H m s S, in UTC).
 */
import type { ConfigDef, ConnectRecord, Transformation, TransformationPlugin } from '../api/index.ts';
import { withRecord } from '../api/index.ts';
import { DataError } from '../converters/json-text.ts';
import { parseTransformConfig } from './support.ts';

const REGEX_CONFIG: ConfigDef = [
  {
    name: 'regex',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'Regular expression to use for matching.',
    validate: (v) => {
      try {
        new RegExp(v as string);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
  },
  { name: 'replacement', type: 'STRING', importance: 'HIGH', documentation: 'Replacement string.' },
];

class RegexRouter implements Transformation {
  #regex = /^$/;
  #replacement = '';

  configure(config: Record<string, string>): void {
    const v = parseTransformConfig(REGEX_CONFIG, config);
    this.#regex = new RegExp(`^(?:${v.regex as string})$`);
    this.#replacement = v.replacement as string;
  }

  apply(record: ConnectRecord): ConnectRecord {
    if (!this.#regex.test(record.topic)) return record;
    return withRecord(record, { topic: record.topic.replace(this.#regex, this.#replacement) });
  }
}

const TIMESTAMP_CONFIG: ConfigDef = [
  {
    name: 'topic.format',
    type: 'STRING',
    default: '${topic}-${timestamp}',
    importance: 'HIGH',
    documentation:
      'Format string which can contain ${topic} and ${timestamp} as placeholders for the topic and timestamp, respectively.',
  },
  {
    name: 'timestamp.format',
    type: 'STRING',
    default: 'yyyyMMdd',
    importance: 'HIGH',
    documentation: 'Format string for the timestamp that is compatible with java.text.SimpleDateFormat.',
  },
];

/** Formats `ms` (UTC) with SimpleDateFormat letters; quoted text ('...') is copied. */
export function formatTimestamp(ms: number, pattern: string): string {
  const d = new Date(ms);
  const fields: Record<string, number> = {
    y: d.getUTCFullYear(),
    M: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    H: d.getUTCHours(),
    m: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
    S: d.getUTCMilliseconds(),
  };
  return pattern.replace(
    /'([^']*)'|([yMdHmsS])\2*/g,
    (match, quoted: string | undefined, letter: string | undefined) => {
      if (quoted !== undefined) return quoted === '' ? "'" : quoted;
      const value = fields[letter!]!;
      if (letter === 'y' && match.length === 2) return String(value % 100).padStart(2, '0');
      return String(value).padStart(match.length, '0');
    },
  );
}

class TimestampRouter implements Transformation {
  #topicFormat = '';
  #timestampFormat = '';

  configure(config: Record<string, string>): void {
    const v = parseTransformConfig(TIMESTAMP_CONFIG, config);
    this.#topicFormat = v['topic.format'] as string;
    this.#timestampFormat = v['timestamp.format'] as string;
  }

  apply(record: ConnectRecord): ConnectRecord {
    if (record.timestamp === null) {
      throw new DataError(`Timestamp missing on record: ${record.topic}`);
    }
    const topic = this.#topicFormat
      .replaceAll('${topic}', record.topic)
      .replaceAll('${timestamp}', formatTimestamp(record.timestamp, this.#timestampFormat));
    return withRecord(record, { topic });
  }
}

export const regexRouterPlugin: TransformationPlugin = {
  className: 'org.apache.kafka.connect.transforms.RegexRouter',
  config: REGEX_CONFIG,
  create: () => new RegexRouter(),
};

export const timestampRouterPlugin: TransformationPlugin = {
  className: 'org.apache.kafka.connect.transforms.TimestampRouter',
  config: TIMESTAMP_CONFIG,
  create: () => new TimestampRouter(),
};
