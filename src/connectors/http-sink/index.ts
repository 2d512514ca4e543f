/**
 * The HTTP bulk sink plugin: `samsa.connect.http.HttpSinkConnector`, also answering to Confluent's
 * class name so existing configs work. Its tasks also consume the retry topics
 * (`<topic>-retry-<delay>` for each topic and retry stage) when `retry.mode=topics`.
 */
import type { ConnectConfig, SinkConnectorPlugin } from '../../connect/api/index.ts';
import { HTTP_SINK_INFO } from './config.ts';
import { HttpSinkConnector } from './connector.ts';
import { parseRetryDelays, retryTopicsOf } from './retry-topics.ts';
import { HttpSinkTask } from './task.ts';

export { HTTP_SINK_CLASS } from './config.ts';

/** The retry topics a configuration's tasks consume besides `topics` (none when it is invalid). */
export function httpSinkRetryTopics(config: ConnectConfig): string[] {
  if ((config['retry.mode'] ?? 'topics').trim().toLowerCase() === 'blocking') return [];
  const topics = (config.topics ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  try {
    const stages = parseRetryDelays(
      (config['retry.topics'] ?? '')
        .split(',')
        .map((d) => d.trim())
        .filter((d) => d !== ''),
    );
    return retryTopicsOf(topics, stages);
  } catch {
    return [];
  }
}

export const httpSinkPlugin: SinkConnectorPlugin = {
  ...HTTP_SINK_INFO,
  createConnector: () => new HttpSinkConnector(),
  createTask: () => new HttpSinkTask(),
  additionalTopics: httpSinkRetryTopics,
};

export { HttpSinkTask } from './task.ts';
