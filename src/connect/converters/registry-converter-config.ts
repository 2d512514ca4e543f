/**
 * The configuration Confluent's schema-registry converters share (`key.converter.*` /
 * `value.converter.*` with the prefix stripped), with Confluent's key names: the registry URL(s)
 * and basic auth, auto-registration, latest-version mode, normalization, subject name strategies
 * by Confluent's class names, and `connect.meta.data`.
 */

import { RegistryClient } from '../../registry/client.ts';
import type { SubjectNameStrategy } from '../../registry/serdes/serde.ts';
import type { ConfigDef, ConnectConfig } from '../api/index.ts';
import { parseConfig } from '../api/index.ts';

const STRATEGIES: Record<string, SubjectNameStrategy> = {
  'io.confluent.kafka.serializers.subject.TopicNameStrategy': 'TopicNameStrategy',
  'io.confluent.kafka.serializers.subject.RecordNameStrategy': 'RecordNameStrategy',
  'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy': 'TopicRecordNameStrategy',
};

export const REGISTRY_CONVERTER_CONFIG: ConfigDef = [
  {
    name: 'schema.registry.url',
    type: 'LIST',
    importance: 'HIGH',
    documentation: 'Comma-separated URLs of the schema registry instances.',
  },
  {
    name: 'basic.auth.credentials.source',
    type: 'STRING',
    default: 'URL',
    importance: 'MEDIUM',
    documentation: 'Where basic auth credentials come from: URL (user:pass@host) or USER_INFO.',
    recommendedValues: ['URL', 'USER_INFO'],
    strict: true,
  },
  {
    name: 'basic.auth.user.info',
    type: 'PASSWORD',
    default: null,
    importance: 'MEDIUM',
    documentation: 'user:password for basic.auth.credentials.source=USER_INFO.',
  },
  {
    name: 'auto.register.schemas',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    documentation: 'Register the schema of written records under their subject.',
  },
  {
    name: 'use.latest.version',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    documentation: "Write with the subject's latest schema instead of the record's.",
  },
  {
    name: 'normalize.schemas',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    documentation: 'Ask the registry to normalize schemas on registration and lookup.',
  },
  {
    name: 'key.subject.name.strategy',
    type: 'CLASS',
    default: 'io.confluent.kafka.serializers.subject.TopicNameStrategy',
    importance: 'MEDIUM',
    documentation: 'How the subject of keys is named.',
    recommendedValues: Object.keys(STRATEGIES),
    strict: true,
  },
  {
    name: 'value.subject.name.strategy',
    type: 'CLASS',
    default: 'io.confluent.kafka.serializers.subject.TopicNameStrategy',
    importance: 'MEDIUM',
    documentation: 'How the subject of values is named.',
    recommendedValues: Object.keys(STRATEGIES),
    strict: true,
  },
  {
    name: 'connect.meta.data',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    documentation: 'Keep Connect schema names, versions, docs and parameters in the registered schema.',
  },
];

export interface RegistryConverterSettings {
  client: RegistryClient;
  autoRegister: boolean;
  useLatestVersion: boolean;
  normalize: boolean;
  strategy: SubjectNameStrategy;
  connectMetaData: boolean;
}

/** Parses a converter's config (throws with every problem named) and builds its registry client. */
export function registryConverterSettings(
  config: ConnectConfig,
  isKey: boolean,
  def: ConfigDef = REGISTRY_CONVERTER_CONFIG,
): RegistryConverterSettings & { values: Readonly<Record<string, unknown>> } {
  const parsed = parseConfig(def, config);
  if (parsed.errors.size > 0) {
    throw new Error([...parsed.errors].map(([k, errs]) => `${k}: ${errs.join('; ')}`).join('\n'));
  }
  const v = parsed.values;
  const urls = v['schema.registry.url'] as readonly string[];
  let auth: { username: string; password: string } | undefined;
  if (v['basic.auth.credentials.source'] === 'USER_INFO' && typeof v['basic.auth.user.info'] === 'string') {
    const info = v['basic.auth.user.info'];
    const colon = info.indexOf(':');
    auth = { username: info.slice(0, colon), password: info.slice(colon + 1) };
  }
  const strategyClass = String(v[isKey ? 'key.subject.name.strategy' : 'value.subject.name.strategy']);
  return {
    client: new RegistryClient({ url: urls, ...(auth ? { auth } : {}) }),
    autoRegister: v['auto.register.schemas'] === true,
    useLatestVersion: v['use.latest.version'] === true,
    normalize: v['normalize.schemas'] === true,
    strategy: STRATEGIES[strategyClass] ?? 'TopicNameStrategy',
    connectMetaData: v['connect.meta.data'] !== false,
    values: v,
  };
}
