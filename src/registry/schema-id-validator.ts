/**
 * The answer to the broker's question for topics with schema validation: is schema id N
 * registered (live) under subject S? Answered from the registry's in-memory state, which the
 * `_schemas` reader keeps current in the background, so the produce path never waits on I/O.
 * Structurally the broker's `SchemaIdValidator`; the registry does not import the broker.
 */
import type { RegistryState } from './store/state.ts';

export interface SchemaIdLookup {
  isRegistered(subject: string, id: number): boolean;
}

export function schemaIdValidator(state: RegistryState): SchemaIdLookup {
  return {
    isRegistered(subject, id) {
      const versions = state.subjects.get(subject);
      if (!versions) return false;
      for (const v of versions.values()) if (v.id === id && !v.deleted) return true;
      return false;
    },
  };
}
