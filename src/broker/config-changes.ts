/**
 * Config changes shared by AlterConfigs (replace all overrides) and IncrementalAlterConfigs (set,
 * delete, append, subtract): turns a request's entries for one resource into the topic's new set of
 * overrides, with Kafka's error codes and messages, and applies it through TopicService. Broker
 * settings are static in Samsa (flags, SAMSA_* variables, config file), so changing them answers
 * INVALID_REQUEST naming the configs, as Kafka does for configs that are not dynamically updatable.
 * Broker loggers' levels change at runtime (IncrementalAlterConfigs only, as Kafka).
 */
import { ErrorCode } from '../protocol/errors.ts';
import { ConfigResourceType } from '../protocol/resource-types.ts';
import { configAccessError, Operation } from './authz.ts';
import type { RequestContext } from './handler.ts';
import { LOG_LEVELS, ROOT_LOGGER } from './loggers.ts';
import type { BrokerServices } from './services.ts';
import { alterList, effectiveTopicConfig, topicConfigDef, validateTopicConfig } from './topic-config.ts';
import type { TopicFailure } from './topics.ts';

/** IncrementalAlterConfigs operations (KIP-339). */
export const ConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigChange {
  name: string;
  /** Legacy AlterConfigs entries are all SET (a null value leaves the config at its default). */
  op: number;
  value: string | null;
}

export interface ResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

const OP_NAMES = ['set', 'delete', 'append', 'subtract'];

/** New overrides of a topic after applying incremental operations, or why they cannot apply. */
function incrementalOverrides(
  services: BrokerServices,
  current: Readonly<Record<string, string>>,
  changes: readonly ConfigChange[],
): { configs: Record<string, string> } | { failure: TopicFailure } {
  const fail = (errorCode: number, message: string) => ({ failure: { errorCode, message } });
  const next: Record<string, string> = { ...current };
  for (const c of changes) {
    const def = topicConfigDef(c.name);
    if (!def) return fail(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
    switch (c.op) {
      case ConfigOp.SET: {
        const problem = validateTopicConfig(c.name, c.value);
        if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
        next[c.name] = c.value!;
        break;
      }
      case ConfigOp.DELETE:
        delete next[c.name];
        break;
      case ConfigOp.APPEND:
      case ConfigOp.SUBTRACT: {
        const op = c.op === ConfigOp.APPEND ? 'append' : 'subtract';
        if (def.type !== 'list')
          return fail(
            ErrorCode.INVALID_CONFIG,
            `Config value ${op} is not allowed for config key: ${c.name}`,
          );
        next[c.name] = alterList(effectiveTopicConfig(c.name, next, services.config), c.value ?? '', op);
        break;
      }
      default:
        return fail(ErrorCode.INVALID_REQUEST, `Unknown alter configs operation ${c.op}`);
    }
  }
  return { configs: next };
}

function duplicateKeys(changes: readonly ConfigChange[]): TopicFailure | null {
  const names = new Set(changes.map((c) => c.name));
  return names.size === changes.length
    ? null
    : { errorCode: ErrorCode.INVALID_REQUEST, message: 'Error due to duplicate config keys' };
}

function alterBroker(
  services: BrokerServices,
  name: string,
  changes: readonly ConfigChange[],
): TopicFailure | null {
  if (name !== '' && name !== String(services.advertised.nodeId))
    return { errorCode: ErrorCode.INVALID_REQUEST, message: `Unknown broker ${name}` };
  if (changes.length === 0) return null;
  const described = changes.map((c) => `${c.name} (${OP_NAMES[c.op] ?? c.op})`).join(', ');
  return {
    errorCode: ErrorCode.INVALID_REQUEST,
    message: `Cannot update these configs dynamically: ${described}. Samsa broker settings are static: set them with samsa start flags, SAMSA_* variables or the config file, and change topic configs per topic.`,
  };
}

/**
 * Broker loggers' levels, as Kafka validates them: SET a known logger to a log4j level (else
 * INVALID_CONFIG), DELETE a module's own level (not root's: INVALID_REQUEST), no APPEND/SUBTRACT;
 * legacy AlterConfigs does not support the resource (INVALID_REQUEST, Kafka's message).
 */
function alterLoggers(
  services: BrokerServices,
  name: string,
  changes: readonly ConfigChange[],
  opts: { incremental: boolean; validateOnly: boolean },
): TopicFailure | null {
  if (!opts.incremental)
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      message: 'AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER',
    };
  if (name !== String(services.advertised.nodeId))
    return { errorCode: ErrorCode.INVALID_REQUEST, message: `Unknown broker ${name}` };
  const loggers = services.loggers;
  for (const c of changes) {
    if (c.op === ConfigOp.APPEND || c.op === ConfigOp.SUBTRACT)
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        message: `${OP_NAMES[c.op]!.toUpperCase()} operation is not allowed for the BROKER_LOGGER resource`,
      };
    if (c.op !== ConfigOp.SET && c.op !== ConfigOp.DELETE)
      return { errorCode: ErrorCode.INVALID_REQUEST, message: `Unknown alter configs operation ${c.op}` };
    if (!loggers.has(c.name))
      return { errorCode: ErrorCode.INVALID_CONFIG, message: `Logger ${c.name} does not exist!` };
    if (c.op === ConfigOp.DELETE && c.name === ROOT_LOGGER)
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        message: `Removing the log level of the ${ROOT_LOGGER} logger is not allowed`,
      };
    if (c.op === ConfigOp.SET && !(String(c.value).toUpperCase() in LOG_LEVELS))
      return {
        errorCode: ErrorCode.INVALID_CONFIG,
        message: `Cannot set the log level of ${c.name} to ${c.value} as it is not a supported log level. Valid log4j levels are ${Object.keys(LOG_LEVELS).join(', ')}`,
      };
  }
  if (opts.validateOnly) return null;
  for (const c of changes) {
    if (c.op === ConfigOp.SET) loggers.set(c.name, String(c.value));
    else loggers.reset(c.name);
    services.logger.info({ logger: c.name, level: loggers.level(c.name) }, 'log level changed');
  }
  return null;
}

/**
 * Applies one resource's changes. `incremental` false is legacy AlterConfigs: the entries replace
 * every override of the topic (configs not listed return to their defaults).
 */
export function alterResource(
  services: BrokerServices,
  resourceType: number,
  resourceName: string,
  changes: readonly ConfigChange[],
  opts: { incremental: boolean; validateOnly: boolean },
): ResourceResult {
  const result = (f: TopicFailure | null): ResourceResult => ({
    errorCode: f?.errorCode ?? 0,
    errorMessage: f?.message ?? null,
    resourceType,
    resourceName,
  });
  const dup = duplicateKeys(changes);
  if (dup) return result(dup);
  if (resourceType === ConfigResourceType.BROKER) return result(alterBroker(services, resourceName, changes));
  if (resourceType === ConfigResourceType.BROKER_LOGGER)
    return result(alterLoggers(services, resourceName, changes, opts));
  if (resourceType !== ConfigResourceType.TOPIC)
    return result({
      errorCode: ErrorCode.INVALID_REQUEST,
      message: `Unsupported resource type ${resourceType}: Samsa alters TOPIC (2), BROKER (4) and BROKER_LOGGER (8) configs`,
    });
  const topic = services.topics.get(resourceName);
  if (!topic)
    return result({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      message: `Topic ${resourceName} does not exist`,
    });
  let next: { configs: Record<string, string> } | { failure: TopicFailure };
  if (opts.incremental) next = incrementalOverrides(services, topic.configs, changes);
  else {
    const configs: Record<string, string> = {};
    for (const c of changes) if (c.value !== null) configs[c.name] = c.value;
    next = { configs };
  }
  if ('failure' in next) return result(next.failure);
  return result(services.topics.replaceConfigs(resourceName, next.configs, opts.validateOnly));
}

interface ConfigResource {
  resourceType: number;
  resourceName: string;
}

/**
 * Both alter-config APIs (AlterConfigs, IncrementalAlterConfigs): per resource, the ALTER_CONFIGS
 * check, then the changes `changesOf` reads from the request entry.
 */
export function alterResources<R extends ConfigResource>(
  ctx: RequestContext,
  resources: readonly R[],
  changesOf: (r: R) => ConfigChange[],
  opts: { incremental: boolean; validateOnly: boolean },
): ResourceResult[] {
  return resources.map((r) => {
    const denied = configAccessError(ctx, Operation.ALTER_CONFIGS, r.resourceType, r.resourceName);
    if (denied !== null) return failedResource(r, denied);
    return alterResource(ctx.services, r.resourceType, r.resourceName, changesOf(r), opts);
  });
}

export function failedResource(r: ConfigResource, errorCode: number): ResourceResult {
  return { errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
}
