/**
 * DescribeConfigs (key 32), versions 0-4. Topic resources (type 2) list every topic config with
 * its effective value and source (topic override or broker default), optionally limited to the
 * requested keys; broker resources (type 4, name = node id or empty) list the broker settings
 * under their Kafka names. With include_synonyms the broker-level synonym of each topic config is
 * listed too; with include_documentation (v3+) its description; config types are reported (v3+).
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
  DescribeConfigsResponseVersions,
  writeDescribeConfigsResponse,
} from '../../protocol/generated/messages/describe-configs-response.ts';
import { SETTINGS } from '../config.ts';
import { defineHandler } from '../handler.ts';
import type { BrokerServices } from '../services.ts';
import { type ConfigType, TOPIC_CONFIGS } from '../topic-config.ts';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
const SOURCE_TOPIC = 1;
const SOURCE_STATIC_BROKER = 4;
const SOURCE_DEFAULT = 5;
const TYPE_CODES: Record<ConfigType, number> = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7 };

function entry(
  name: string,
  value: string,
  source: number,
  type: ConfigType,
  doc: string,
  synonyms: { name: string; value: string; source: number }[],
): DescribeConfigsResponseDescribeConfigsResourceResult {
  return {
    name,
    value,
    readOnly: false,
    isDefault: source === SOURCE_DEFAULT,
    configSource: source,
    isSensitive: false,
    synonyms,
    configType: TYPE_CODES[type],
    documentation: doc,
  };
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
    if (r.configurationKeys && !r.configurationKeys.includes(def.name)) continue;
    const set = topic.configs[def.name];
    const brokerDefault = def.defaultValue(services.config);
    const syn = [];
    if (synonyms) {
      if (set !== undefined) syn.push({ name: def.name, value: set, source: SOURCE_TOPIC });
      syn.push({ name: def.brokerName, value: brokerDefault, source: SOURCE_DEFAULT });
    }
    result.configs.push(
      entry(
        def.name,
        set ?? brokerDefault,
        set === undefined ? SOURCE_DEFAULT : SOURCE_TOPIC,
        def.type,
        docs ? def.doc : '',
        syn,
      ),
    );
  }
  return result;
}

function describeBroker(
  services: BrokerServices,
  r: DescribeConfigsRequestDescribeConfigsResource,
  docs: boolean,
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
    return result;
  }
  for (const s of SETTINGS) {
    if (!s.kafkaName) continue;
    if (r.configurationKeys && !r.configurationKeys.includes(s.kafkaName)) continue;
    const value = String(services.config[s.key] ?? '');
    const type: ConfigType = s.kind === 'int' ? 'long' : s.kind === 'bool' ? 'boolean' : 'string';
    result.configs.push(entry(s.kafkaName, value, SOURCE_STATIC_BROKER, type, docs ? s.help : '', []));
  }
  return result;
}

export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: 32,
  name: 'DescribeConfigs',
  minVersion: DescribeConfigsResponseVersions.min,
  maxVersion: DescribeConfigsResponseVersions.max,
  readRequest: readDescribeConfigsRequest,
  writeResponse: writeDescribeConfigsResponse,
  handle(req, ctx) {
    const docs = ctx.apiVersion >= 3 && req.includeDocumentation;
    const synonyms = ctx.apiVersion >= 1 && req.includeSynonyms;
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r) => {
        if (r.resourceType === RESOURCE_TOPIC) return describeTopic(ctx.services, r, synonyms, docs);
        if (r.resourceType === RESOURCE_BROKER) return describeBroker(ctx.services, r, docs);
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
});
