/**
 * `KAFKA_PREFIX`: on multi-tenant managed Kafka every topic and group name carries a tenant prefix.
 * Tools add it to the names users type before they go on the wire and strip it from the names they
 * show, so users never see or type it. Names without the prefix belong to someone else.
 */
export interface NamePrefix {
  /** The prefix itself; empty when none is set. */
  readonly value: string;
  /** The on-the-wire name for a name the user typed. */
  add(name: string): string;
  /** The name to show for an on-the-wire name, or undefined when it is not under the prefix. */
  strip(wireName: string): string | undefined;
  /** Removes the prefix wherever it appears in a broker's message. */
  scrub(text: string): string;
}

export function namePrefix(value: string | undefined): NamePrefix {
  const prefix = value ?? '';
  return {
    value: prefix,
    add: (name) => prefix + name,
    strip: (wireName) =>
      wireName.startsWith(prefix) && wireName.length > prefix.length
        ? wireName.slice(prefix.length)
        : undefined,
    scrub: (text) => (prefix === '' ? text : text.replaceAll(prefix, '')),
  };
}

/** The prefix configured in the environment (`KAFKA_PREFIX`). */
export function prefixFromEnv(env: NodeJS.ProcessEnv): NamePrefix {
  return namePrefix(env.KAFKA_PREFIX);
}
