/**
 * The keys every connector config has besides the connector's own (Kafka's `ConnectorConfig`,
 * `SinkConnectorConfig`, `SourceConnectorConfig`): name, class, tasks, converters, transforms,
 * predicates and error handling; and validation of a whole config in the shape of Kafka Connect's
 * `PUT /connector-plugins/{plugin}/config/validate` answer (ConfigInfos).
 */
import type { ConfigDef, ConfigKey, ConfigValue, ConnectConfig, ConnectorPlugin } from '../api/index.ts';
import { parseConfig } from '../api/index.ts';
import { subConfig, validateTransforms } from '../transforms/index.ts';
import type { Plugins } from './plugins.ts';

const COMMON = 'Common';
const TRANSFORMS = 'Transforms';
const PREDICATES = 'Predicates';
const ERRORS = 'Error Handling';

export const COMMON_CONFIG: ConfigDef = [
  {
    name: 'name',
    type: 'STRING',
    importance: 'HIGH',
    group: COMMON,
    orderInGroup: 1,
    width: 'MEDIUM',
    displayName: 'Connector name',
    documentation: 'Globally unique name to use for this connector.',
    validate: (v) => (v === '' ? 'String must be non-empty' : null),
  },
  {
    name: 'connector.class',
    type: 'STRING',
    importance: 'HIGH',
    group: COMMON,
    orderInGroup: 2,
    width: 'LONG',
    displayName: 'Connector class',
    documentation: 'Name or alias of the class for this connector.',
  },
  {
    name: 'tasks.max',
    type: 'INT',
    default: 1,
    importance: 'HIGH',
    group: COMMON,
    orderInGroup: 3,
    width: 'SHORT',
    displayName: 'Tasks max',
    documentation: 'Maximum number of tasks to use for this connector.',
    validate: (v) => ((v as number) < 1 ? 'Value must be at least 1' : null),
  },
  {
    name: 'key.converter',
    type: 'CLASS',
    default: null,
    importance: 'LOW',
    group: COMMON,
    orderInGroup: 5,
    width: 'SHORT',
    displayName: 'Key converter class',
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka.',
  },
  {
    name: 'value.converter',
    type: 'CLASS',
    default: null,
    importance: 'LOW',
    group: COMMON,
    orderInGroup: 6,
    width: 'SHORT',
    displayName: 'Value converter class',
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka.',
  },
  {
    name: 'header.converter',
    type: 'CLASS',
    default: null,
    importance: 'LOW',
    group: COMMON,
    orderInGroup: 7,
    width: 'SHORT',
    displayName: 'Header converter class',
    documentation:
      'HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka.',
  },
  {
    name: 'transforms',
    type: 'LIST',
    default: [],
    importance: 'LOW',
    group: TRANSFORMS,
    orderInGroup: 1,
    width: 'LONG',
    displayName: 'Transforms',
    documentation: 'Aliases for the transformations to be applied to records.',
  },
  {
    name: 'predicates',
    type: 'LIST',
    default: [],
    importance: 'LOW',
    group: PREDICATES,
    orderInGroup: 1,
    width: 'LONG',
    displayName: 'Predicates',
    documentation: 'Aliases for the predicates used by transformations.',
  },
  {
    name: 'errors.retry.timeout',
    type: 'LONG',
    default: 0,
    importance: 'MEDIUM',
    group: ERRORS,
    orderInGroup: 1,
    width: 'MEDIUM',
    displayName: 'Retry Timeout for Errors',
    documentation:
      'The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
  },
  {
    name: 'errors.retry.delay.max.ms',
    type: 'LONG',
    default: 60000,
    importance: 'MEDIUM',
    group: ERRORS,
    orderInGroup: 2,
    width: 'MEDIUM',
    displayName: 'Maximum Delay Between Retries for Errors',
    documentation:
      'The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.',
  },
  {
    name: 'errors.tolerance',
    type: 'STRING',
    default: 'none',
    importance: 'MEDIUM',
    group: ERRORS,
    orderInGroup: 3,
    width: 'SHORT',
    displayName: 'Error Tolerance',
    recommendedValues: ['none', 'all'],
    strict: true,
    documentation:
      "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
  },
  {
    name: 'errors.log.enable',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: ERRORS,
    orderInGroup: 4,
    width: 'SHORT',
    displayName: 'Log Errors',
    documentation:
      'If true, write each error and the details of the failed operation and problematic record to the Connect application log.',
  },
  {
    name: 'errors.log.include.messages',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: ERRORS,
    orderInGroup: 5,
    width: 'SHORT',
    displayName: 'Log Error Details',
    documentation: 'Whether to include in the log the Connect record that resulted in a failure.',
  },
];

export const SINK_CONFIG: ConfigDef = [
  {
    name: 'topics',
    type: 'LIST',
    default: [],
    importance: 'HIGH',
    group: COMMON,
    orderInGroup: 4,
    width: 'LONG',
    displayName: 'Topics',
    documentation: 'List of topics to consume, separated by commas',
  },
  {
    name: 'topics.regex',
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: COMMON,
    orderInGroup: 4,
    width: 'LONG',
    displayName: 'Topics regex',
    documentation:
      'Regular expression giving topics to consume. Under the hood, the regex is compiled to a java.util.regex.Pattern. Only one of topics or topics.regex should be specified.',
  },
  {
    name: 'errors.deadletterqueue.topic.name',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: ERRORS,
    orderInGroup: 6,
    width: 'MEDIUM',
    displayName: 'Dead Letter Queue Topic Name',
    documentation:
      'The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.',
  },
  {
    name: 'errors.deadletterqueue.topic.replication.factor',
    type: 'SHORT',
    default: 3,
    importance: 'MEDIUM',
    group: ERRORS,
    orderInGroup: 7,
    width: 'MEDIUM',
    displayName: 'Dead Letter Queue Topic Replication Factor',
    documentation:
      "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
  },
  {
    name: 'errors.deadletterqueue.context.headers.enable',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: ERRORS,
    orderInGroup: 8,
    width: 'MEDIUM',
    displayName: 'Enable Error Context Headers',
    documentation:
      'If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with __connect.errors.',
  },
];

export interface ConfigInfo {
  definition: {
    name: string;
    type: string;
    required: boolean;
    default_value: string | null;
    importance: string;
    documentation: string;
    group: string | null;
    width: string;
    display_name: string;
    dependents: string[];
    order: number;
  };
  value: {
    name: string;
    value: string | null;
    recommended_values: string[];
    errors: string[];
    visible: boolean;
  };
}

export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: ConfigInfo[];
}

function defaultText(value: ConfigValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

function info(key: ConfigKey, raw: ConnectConfig, errors: readonly string[], order: number): ConfigInfo {
  return {
    definition: {
      name: key.name,
      type: key.type,
      required: key.default === undefined,
      default_value: key.type === 'PASSWORD' && key.default ? '[hidden]' : defaultText(key.default),
      importance: key.importance,
      documentation: key.documentation,
      group: key.group ?? null,
      width: key.width ?? 'NONE',
      display_name: key.displayName ?? key.name,
      dependents: [],
      order: key.orderInGroup ?? order,
    },
    value: {
      name: key.name,
      value:
        key.type === 'PASSWORD' && raw[key.name] !== undefined
          ? '[hidden]'
          : (raw[key.name] ?? defaultText(key.default)),
      recommended_values: [...(key.recommendedValues ?? [])],
      errors: [...errors],
      visible: true,
    },
  };
}

/** The config definition of one converter/transform/predicate, prefixed (`transforms.x.`). */
function prefixed(def: ConfigDef, prefix: string, group: string): ConfigDef {
  return def.map((k) => ({ ...k, name: `${prefix}${k.name}`, group }));
}

/** The full validation answer for `config` against `plugin` (or a missing plugin). */
export async function validateConnectorConfig(
  plugins: Plugins,
  plugin: ConnectorPlugin,
  config: ConnectConfig,
): Promise<ConfigInfos> {
  const common = plugin.type === 'sink' ? [...COMMON_CONFIG, ...SINK_CONFIG] : COMMON_CONFIG;
  const sections: ConfigDef[] = [common];
  for (const alias of (config.transforms ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const typeKey: ConfigKey = {
      name: `transforms.${alias}.type`,
      type: 'CLASS',
      importance: 'HIGH',
      group: `Transforms: ${alias}`,
      documentation: "Class for the '" + alias + "' transformation.",
    };
    const t = plugins.transform(config[typeKey.name] ?? '');
    sections.push([
      typeKey,
      ...(t ? prefixed(t.config, `transforms.${alias}.`, `Transforms: ${alias}`) : []),
    ]);
  }
  for (const alias of (config.predicates ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const typeKey: ConfigKey = {
      name: `predicates.${alias}.type`,
      type: 'CLASS',
      importance: 'HIGH',
      group: `Predicates: ${alias}`,
      documentation: "Class for the '" + alias + "' predicate.",
    };
    const p = plugins.predicate(config[typeKey.name] ?? '');
    sections.push([
      typeKey,
      ...(p ? prefixed(p.config, `predicates.${alias}.`, `Predicates: ${alias}`) : []),
    ]);
  }
  const own = plugin.config.map((k) => ({ ...k, group: k.group ?? null }));
  const allDefs: ConfigKey[] = [...sections.flat()];
  const errors = new Map<string, string[]>();
  const add = (key: string, messages: readonly string[]): void => {
    if (messages.length > 0) errors.set(key, [...(errors.get(key) ?? []), ...messages]);
  };
  for (const section of sections) for (const [k, m] of parseConfig(section, config).errors) add(k, m);
  for (const [k, m] of parseConfig(plugin.config, config).errors) add(k, m);
  // Converters must be known classes.
  for (const key of ['key.converter', 'value.converter']) {
    const name = config[key];
    if (name && !plugins.converter(name))
      add(key, [`Invalid value ${name} for configuration ${key}: Class ${name} could not be found.`]);
    if (name) {
      const conv = await plugins.loadConverter(name);
      if (conv)
        for (const [k, m] of parseConfig(conv.config, subConfig(config, `${key}.`)).errors)
          add(`${key}.${k}`, m);
    }
  }
  for (const [k, m] of validateTransforms(config)) if (!errors.has(k)) add(k, m);
  if (plugin.type === 'sink') {
    const topics = (config.topics ?? '').trim();
    const regex = (config['topics.regex'] ?? '').trim();
    if (topics !== '' && regex !== '') {
      const message = 'topics and topics.regex are mutually exclusive options, but both are set.';
      add('topics', [message]);
      add('topics.regex', [message]);
    } else if (topics === '' && regex === '' && !plugin.additionalTopics) {
      const message = 'Must configure one of topics or topics.regex';
      add('topics', [message]);
      add('topics.regex', [message]);
    }
    const dlq = (config['errors.deadletterqueue.topic.name'] ?? '').trim();
    if (
      dlq !== '' &&
      topics
        .split(',')
        .map((s) => s.trim())
        .includes(dlq)
    ) {
      add('errors.deadletterqueue.topic.name', [
        `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=${topics}') consumed by the connector`,
      ]);
    }
  }
  const parsedOwn = parseConfig(plugin.config, config);
  if (plugin.createConnector().validate && parsedOwn.errors.size === 0) {
    try {
      const extra = await plugin.createConnector().validate!(config);
      for (const [k, m] of extra) add(k, m);
    } catch (err) {
      add('connector.class', [(err as Error).message]);
    }
  }
  const defined = new Set(allDefs.map((k) => k.name));
  const configs: ConfigInfo[] = [];
  allDefs.forEach((k, i) => {
    configs.push(info(k, config, errors.get(k.name) ?? [], i + 1));
  });
  own.forEach((k, i) => {
    if (!defined.has(k.name)) configs.push(info(k as ConfigKey, config, errors.get(k.name) ?? [], i + 1));
  });
  // Errors on keys no definition lists (e.g. converter sub-keys) still count.
  for (const [k, m] of errors) {
    if (!configs.some((c) => c.definition.name === k)) {
      configs.push(info({ name: k, type: 'STRING', importance: 'LOW', documentation: '' }, config, m, 0));
    }
  }
  const groups = [...new Set(configs.map((c) => c.definition.group).filter((g): g is string => g !== null))];
  const errorCount = configs.reduce((n, c) => n + c.value.errors.length, 0);
  return { name: plugin.className, error_count: errorCount, groups, configs };
}

/** Kafka Connect's message for an invalid config (POST/PUT answer 400 with it). */
export function invalidConfigMessage(infos: ConfigInfos): string {
  const lines = infos.configs.flatMap((c) => c.value.errors);
  return `Connector configuration is invalid and contains the following ${lines.length} error(s):\n${lines.join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``;
}
