/**
 * Java `.properties` files (Kafka Connect's worker and standalone connector configs) and JSON config
 * files (`{"name": ..., "config": {...}}` or a flat object) into string maps. Supports `#`/`!`
 * comments, `=`, `:` or whitespace separators, backslash line continuations and the usual escapes.
 */
import { readFileSync } from 'node:fs';

export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, '');
    }
    const match = /^((?:\\.|[^=:\s\\])*)\s*[=:\s]?\s*(.*)$/.exec(line);
    if (!match) continue;
    out[unescapeProperty(match[1]!)] = unescapeProperty(match[2]!);
  }
  return out;
}

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(Number.parseInt(c.slice(1), 16));
    return c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'f' ? '\f' : c;
  });
}

/** Values of a JSON object as strings (Connect configs are string maps). */
export function stringMap(value: unknown, what: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} must be a JSON object`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** Reads a `.properties` or `.json` file into a string map. */
export function readConfigFile(path: string, text = readFileSync(path, 'utf8')): Record<string, string> {
  if (path.endsWith('.json') || /^\s*\{/.test(text)) {
    const json = JSON.parse(text) as Record<string, unknown>;
    if (json && typeof json === 'object' && 'config' in json && typeof json.config === 'object') {
      const config = stringMap(json.config, `${path}: "config"`);
      if (typeof json.name === 'string' && config.name === undefined) config.name = json.name;
      return config;
    }
    return stringMap(json, path);
  }
  return parseProperties(text);
}
