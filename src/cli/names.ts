/**
 * Local checks on topic and group names, limited to what the client library refuses to send at all
 * (empty or whitespace). Everything else is left to the broker, whose rules are the real ones.
 */
import { CliError } from './errors.ts';

export function assertSendableName(name: string, what: 'topic' | 'group'): void {
  if (name === '' || /\s/.test(name)) {
    throw new CliError(
      `invalid ${what} name "${name}": names cannot be empty or contain whitespace`,
      what === 'topic' ? "topic names are 1-249 characters of letters, digits, '.', '_' and '-'" : undefined,
    );
  }
}
