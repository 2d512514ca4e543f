/**
 * The HTTP bulk sink plugin: `samsa.connect.http.HttpSinkConnector`, also answering to Confluent's
 * class name so existing configs work. Its tasks also consume the retry topics
 * (`<topic>-retry-<delay>` for each topic and retry stage) when `retry.mode=topics`.
 */
import type { ConnectConfig, SinkConnectorPlugin } from '../../connect/api/index.ts';
import { HTTP_SINK_CONFIG } from './config.ts';
import { HttpSinkConnector } from './connector.ts';
import { parseRetryDelays, retryTopicsOf } from './retry-topics.ts';
import { HttpSinkTask } from './task.ts';

export const HTTP_SINK_CLASS = 'samsa.connect.http.HttpSinkConnector';

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
  type: 'sink',
  className: HTTP_SINK_CLASS,
  aliases: ['io.confluent.connect.http.HttpSinkConnector'],
  version: '0.1.0',
  config: HTTP_SINK_CONFIG,
  createConnector: () => new HttpSinkConnector(),
  createTask: () => new HttpSinkTask(),
  additionalTopics: httpSinkRetryTopics,
};

export { HttpSinkTask } from './task.ts';
