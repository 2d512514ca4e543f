/**
 * Config changes shared by AlterConfigs (replace all overrides) and IncrementalAlterConfigs (set,
 * delete, append, subtract): turns a request's entries for one resource into the topic's new set of
 * overrides, with Kafka's error codes and messages, and applies it through TopicService. Broker
 * settings are static in Samsa (flags, SAMSA_* variables, config file), so changing them answers
 * INVALID_REQUEST naming the configs, as Kafka does for configs that are not dynamically updatable.
 */
import { ErrorCode } from '../protocol/errors.ts';
import { configAccessError, Operation } from './authz.ts';
import type { RequestContext } from './handler.ts';
import type { BrokerServices } from './services.ts';
import { alterList, effectiveTopicConfig, topicConfigDef, validateTopicConfig } from './topic-config.ts';
import type { TopicFailure } from './topics.ts';

export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

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
  if (resourceType === ResourceType.BROKER) return result(alterBroker(services, resourceName, changes));
  if (resourceType !== ResourceType.TOPIC)
    return result({
      errorCode: ErrorCode.INVALID_REQUEST,
      message: `Unsupported resource type ${resourceType}: Samsa alters TOPIC (2) configs`,
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
