/**
 * Reading and changing topic configs over the Kafka protocol: DescribeConfigs for the current
 * values (with where each comes from), IncrementalAlterConfigs to set or reset single keys.
 */
import { type Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { CliError } from './errors.ts';

export interface TopicConfig {
  name: string;
  value: string | null;
  /** Kafka's config source name, e.g. DYNAMIC_TOPIC_CONFIG (set on the topic) or DEFAULT_CONFIG. */
  source: string;
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
}

const SOURCES: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};

/** Every config of a topic, sorted by name. */
export async function describeTopicConfigs(admin: Admin, topic: string): Promise<TopicConfig[]> {
  const [result] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
  });
  if (!result) throw new CliError(`the broker returned no configs for ${topic}`);
  return result.configs
    .map((c) => ({
      name: c.name,
      value: c.isSensitive ? null : (c.value ?? null),
      source: SOURCES[c.configSource] ?? String(c.configSource),
      isDefault: c.configSource !== 1,
      readOnly: c.readOnly,
      sensitive: c.isSensitive,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Sets keys (value string) and resets keys to their default (value null) in one request. */
export async function alterTopicConfigs(
  admin: Admin,
  topic: string,
  changes: readonly (readonly [string, string | null])[],
): Promise<void> {
  await admin.incrementalAlterConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: topic,
        configs: changes.map(([name, value]) =>
          value === null
            ? { name, configOperation: IncrementalAlterConfigOperationTypes.DELETE }
            : { name, configOperation: IncrementalAlterConfigOperationTypes.SET, value },
        ),
      },
    ],
  });
}
