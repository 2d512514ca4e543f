/**
 * Retry stages and their topics. `retry.topics=1m,10m,1h` makes three stages; a record of topic
 * `orders` whose delivery failed goes to `orders-retry-1m`, then `orders-retry-10m`, then
 * `orders-retry-1h`, each stage trying it again once its delay has passed since it was written
 * there. The delay label is kept as the user wrote it, so topic names are stable.
 */

export interface RetryStage {
  /** As written in the config (`1m`), part of the topic name. */
  readonly label: string;
  readonly delayMs: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of `500ms`, `30s`, `10m`, `1h`, `2d` or a bare number of milliseconds. */
export function parseDelay(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a delay (e.g. 30s, 1m, 10m, 1h, 500ms)`);
  return Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!;
}

export function parseRetryDelays(list: readonly string[]): RetryStage[] {
  const stages = list.map((label) => ({ label: label.trim(), delayMs: parseDelay(label) }));
  for (let i = 1; i < stages.length; i++) {
    if (
      stages[i]!.label === stages[i - 1]!.label ||
      stages.findIndex((s) => s.label === stages[i]!.label) < i
    )
      throw new Error(`retry.topics lists "${stages[i]!.label}" twice; each stage needs its own topic`);
  }
  return stages;
}

export function retryTopicName(topic: string, stage: RetryStage): string {
  return `${topic}-retry-${stage.label}`;
}

/** Every retry topic of these topics, stage by stage. */
export function retryTopicsOf(topics: readonly string[], stages: readonly RetryStage[]): string[] {
  return topics.flatMap((topic) => stages.map((stage) => retryTopicName(topic, stage)));
}

/** Finds which retry stage a consumed topic belongs to: topic name → { original topic, stage index }. */
export function retryTopicIndex(
  topics: readonly string[],
  stages: readonly RetryStage[],
): Map<string, { topic: string; stage: number }> {
  const index = new Map<string, { topic: string; stage: number }>();
  for (const topic of topics)
    stages.forEach((stage, i) => {
      index.set(retryTopicName(topic, stage), { topic, stage: i });
    });
  return index;
}
