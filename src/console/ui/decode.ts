/** Shows record bytes (base64 from the server) as text, pretty JSON or hex. */

export type Decoding = 'string' | 'json' | 'hex';

export function bytesOf(base64: string): Uint8Array {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function decode(base64: string | null, how: Decoding): string {
  if (base64 === null) return '(null)';
  const bytes = bytesOf(base64);
  if (how === 'hex') return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = new TextDecoder().decode(bytes);
  if (how === 'json') {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}
