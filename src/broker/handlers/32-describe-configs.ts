/**
 * DescribeConfigs (key 32), versions 0-4. Topic resources (type 2) list every topic config with
 * its effective value and source: DYNAMIC_TOPIC_CONFIG for overrides (CreateTopics, AlterConfigs,
 * IncrementalAlterConfigs), STATIC_BROKER_CONFIG when the broker's own setting differs from
 * Kafka's default, else DEFAULT_CONFIG; optionally limited to the requested keys (null or empty =
 * all). Broker resources (type 4, name = node id or empty) list the broker settings under their
 * Kafka names (from config.ts's settings table: `describeSettings`), the broker-level defaults of every topic config and the settings a single node
 * cannot change (fixed-broker-configs.ts), all read-only (static; STATIC_BROKER_CONFIG with Kafka's
 * default as a synonym where the value differs from it). With
 * include_synonyms (v1+) each entry lists its synonyms in precedence order (override, broker
 * setting, default); with include_documentation (v3+) its description; config types (v3+).
 * Broker loggers (type 8, name = node id): every logger (loggers.ts) with its level, source
 * DYNAMIC_BROKER_LOGGER_CONFIG, not read-only. Authorization: DESCRIBE_CONFIGS on
 * the topic (TOPIC_AUTHORIZATION_FAILED) or, for broker resources, the cluster
 * (CLUSTER_AUTHORIZATION_FAILED).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeConfigsRequest,
  type DescribeConfigsRequestDescribeConfigsResource,
  readDescribeConfigsRequest,
} from '../../protocol/generated/messages/describe-configs-request.ts';
import {
  type DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResourceResult,
  type DescribeConfigsResponseDescribeConfigsResult,
  writeDescribeConfigsResponse,
} from '../../protocol/generated/messages/describe-configs-response.ts';
import { ConfigResourceType } from '../../protocol/resource-types.ts';
import { configAccessError, Operation } from '../authz.ts';
import { DEFAULT_CONFIG, describeSettings } from '../config.ts';
import { FIXED_BROKER_CONFIGS } from '../fixed-broker-configs.ts';
import { defineHandler, serves } from '../handler.ts';
import type { BrokerServices } from '../services.ts';
import { brokerDefaultSource, ConfigSource, type ConfigType, TOPIC_CONFIGS } from '../topic-config.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(32, 0, 4);

/** ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG, as Kafka reports broker loggers. */
const SOURCE_BROKER_LOGGER = 6;
const SOURCE_TOPIC = ConfigSource.DYNAMIC_TOPIC_CONFIG;
const SOURCE_STATIC_BROKER = ConfigSource.STATIC_BROKER_CONFIG;
const SOURCE_DEFAULT = ConfigSource.DEFAULT_CONFIG;
const TYPE_CODES: Record<ConfigType, number> = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7 };

function entry(
  name: string,
  value: string,
  source: number,
  type: ConfigType,
  doc: string | null,
  synonyms: { name: string; value: string; source: number }[],
  readOnly = false,
): DescribeConfigsResponseDescribeConfigsResourceResult {
  return {
    name,
    value,
    readOnly,
    isDefault: source === SOURCE_DEFAULT,
    configSource: source,
    isSensitive: false,
    synonyms,
    configType: TYPE_CODES[type],
    documentation: doc,
  };
}

/** Null or empty configuration_keys ask for every config. */
function wanted(r: DescribeConfigsRequestDescribeConfigsResource, name: string): boolean {
  return !r.configurationKeys || r.configurationKeys.length === 0 || r.configurationKeys.includes(name);
}

function describeTopic(
  services: BrokerServices,
  r: DescribeConfigsRequestDescribeConfigsResource,
  synonyms: boolean,
  docs: boolean,
): DescribeConfigsResponseDescribeConfigsResult {
  const result = {
    errorCode: 0,
    errorMessage: null,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: [],
  } as DescribeConfigsResponseDescribeConfigsResult;
  const topic = services.topics.get(r.resourceName);
  if (!topic) {
    result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    result.errorMessage = `Topic ${r.resourceName} does not exist`;
    return result;
  }
  for (const def of TOPIC_CONFIGS) {
    if (!wanted(r, def.name)) continue;
    const set = topic.configs[def.name];
    const brokerDefault = def.defaultValue(services.config);
    const brokerSource = brokerDefaultSource(def, services.config);
    const syn = [];
    if (synonyms) {
      if (set !== undefined) syn.push({ name: def.name, value: set, source: SOURCE_TOPIC });
      syn.push({ name: def.brokerName, value: brokerDefault, source: brokerSource });
      if (brokerSource === SOURCE_STATIC_BROKER)
        syn.push({ name: def.brokerName, value: def.defaultValue(DEFAULT_CONFIG), source: SOURCE_DEFAULT });
    }
    result.configs.push(
      entry(
        def.name,
        set ?? brokerDefault,
        set === undefined ? brokerSource : SOURCE_TOPIC,
        def.type,
        docs ? def.doc : null,
        syn,
      ),
    );
  }
  return result;
}

/** An empty result for a BROKER or BROKER_LOGGER resource; INVALID_REQUEST when it names another node. */
function brokerResult(
  services: BrokerServices,
  r: DescribeConfigsRequestDescribeConfigsResource,
): DescribeConfigsResponseDescribeConfigsResult {
  const result = {
    errorCode: 0,
    errorMessage: null,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: [],
  } as DescribeConfigsResponseDescribeConfigsResult;
  if (r.resourceName !== '' && r.resourceName !== String(services.advertised.nodeId)) {
    result.errorCode = ErrorCode.INVALID_REQUEST;
    result.errorMessage = `Unknown broker ${r.resourceName}`;
  }
  return result;
}

function describeBroker(
  services: BrokerServices,
  r: DescribeConfigsRequestDescribeConfigsResource,
  synonyms: boolean,
  docs: boolean,
): DescribeConfigsResponseDescribeConfigsResult {
  const result = brokerResult(services, r);
  if (result.errorCode !== 0) return result;
  const listed = new Set<string>();
  const add = (
    name: string,
    value: string,
    kafkaDefault: string,
    type: ConfigType,
    doc: string,
    source: number = value === kafkaDefault ? SOURCE_DEFAULT : SOURCE_STATIC_BROKER,
  ) => {
    if (listed.has(name) || !wanted(r, name)) return;
    listed.add(name);
    const syn = !synonyms
      ? []
      : source === SOURCE_STATIC_BROKER
        ? [
            { name, value, source },
            { name, value: kafkaDefault, source: SOURCE_DEFAULT },
          ]
        : [{ name, value, source }];
    result.configs.push(entry(name, value, source, type, docs ? doc : null, syn, true));
  };
  const listener = { host: services.config.host, port: services.advertised.port };
  for (const d of describeSettings(services.config, listener))
    add(d.name, d.value, d.defaultValue, d.type, d.doc);
  for (const def of TOPIC_CONFIGS)
    add(
      def.brokerName,
      def.defaultValue(services.config),
      def.defaultValue(DEFAULT_CONFIG),
      def.type,
      def.doc,
      brokerDefaultSource(def, services.config),
    );
  for (const f of FIXED_BROKER_CONFIGS) add(f.name, f.value(services.config), f.kafkaDefault, f.type, f.doc);
  return result;
}

/** BROKER_LOGGER (name = node id or empty): every logger and its level, changeable (not read-only). */
function describeLoggers(
  services: BrokerServices,
  r: DescribeConfigsRequestDescribeConfigsResource,
): DescribeConfigsResponseDescribeConfigsResult {
  const result = brokerResult(services, r);
  if (result.errorCode !== 0) return result;
  for (const { name, level } of services.loggers.list())
    if (wanted(r, name)) result.configs.push(entry(name, level, SOURCE_BROKER_LOGGER, 'string', null, []));
  return result;
}

export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  ...SERVES,
  name: 'DescribeConfigs',
  readRequest: readDescribeConfigsRequest,
  writeResponse: writeDescribeConfigsResponse,
  handle(req, ctx) {
    const docs = ctx.apiVersion >= 3 && req.includeDocumentation;
    const synonyms = ctx.apiVersion >= 1 && req.includeSynonyms;
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r) => {
        const denied = configAccessError(ctx, Operation.DESCRIBE_CONFIGS, r.resourceType, r.resourceName);
        if (denied !== null)
          return {
            errorCode: denied,
            errorMessage: null,
            resourceType: r.resourceType,
            resourceName: r.resourceName,
            configs: [],
          };
        if (r.resourceType === ConfigResourceType.TOPIC)
          return describeTopic(ctx.services, r, synonyms, docs);
        if (r.resourceType === ConfigResourceType.BROKER)
          return describeBroker(ctx.services, r, synonyms, docs);
        if (r.resourceType === ConfigResourceType.BROKER_LOGGER) return describeLoggers(ctx.services, r);
        return {
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Unsupported resource type ${r.resourceType}`,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configs: [],
        };
      }),
    };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.resources.map((r) => ({
      errorCode,
      errorMessage: null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: [],
    })),
  }),
});
