/**
 * `org.apache.kafka.connect.transforms.Filter` (drops every record it is applied to — used with a
 * predicate, `transforms.x.predicate` and `transforms.x.negate`) and the standard predicates
 * `TopicNameMatches` (`pattern`, the whole topic), `HasHeaderKey` (`name`) and `RecordIsTombstone`.
 */
import type {
  ConfigDef,
  ConnectRecord,
  PredicatePlugin,
  Transformation,
  TransformationPlugin,
} from '../api/index.ts';
import { parseTransformConfig } from './support.ts';

class Filter implements Transformation {
  configure(): void {}
  apply(): ConnectRecord | null {
    return null;
  }
}

export const filterPlugin: TransformationPlugin = {
  className: 'org.apache.kafka.connect.transforms.Filter',
  config: [],
  create: () => new Filter(),
};

const TOPIC_CONFIG: ConfigDef = [
  {
    name: 'pattern',
    type: 'STRING',
    importance: 'MEDIUM',
    documentation: "A Java regular expression for matching against the name of a record's topic.",
    validate: (v) => {
      try {
        new RegExp(v as string);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
  },
];

const HEADER_CONFIG: ConfigDef = [
  {
    name: 'name',
    type: 'STRING',
    importance: 'MEDIUM',
    documentation: 'The header name.',
    validate: (v) => (v === '' ? 'String must be non-empty' : null),
  },
];

const PREFIX = 'org.apache.kafka.connect.transforms.predicates.';

export const PREDICATES: readonly PredicatePlugin[] = [
  {
    className: `${PREFIX}TopicNameMatches`,
    config: TOPIC_CONFIG,
    create: () => {
      let pattern = /^$/;
      return {
        configure(config) {
          pattern = new RegExp(`^(?:${parseTransformConfig(TOPIC_CONFIG, config).pattern as string})$`);
        },
        test: (record) => record.topic !== null && pattern.test(record.topic),
      };
    },
  },
  {
    className: `${PREFIX}HasHeaderKey`,
    config: HEADER_CONFIG,
    create: () => {
      let name = '';
      return {
        configure(config) {
          name = parseTransformConfig(HEADER_CONFIG, config).name as string;
        },
        test: (record) => record.headers.some((h) => h.key === name),
      };
    },
  },
  {
    className: `${PREFIX}RecordIsTombstone`,
    config: [],
    create: () => ({
      configure() {},
      test: (record) => record.value === null || record.value === undefined,
    }),
  },
];
