/**
 * Principals from TLS client certificates. The default name is the certificate subject as an
 * RFC 2253 distinguished name (`User:CN=alice,OU=eng,O=Acme,C=US`), as Kafka's default SSL
 * principal builder gives. `--tls-principal-mapping` takes Kafka's ssl.principal.mapping.rules
 * syntax: comma-separated `RULE:pattern/replacement/[LU]` entries tried in order, then `DEFAULT`.
 */
const ORDER = ['CN', 'OU', 'O', 'L', 'ST', 'C'];

export function distinguishedName(subject: Record<string, string | string[] | undefined>): string {
  const parts: string[] = [];
  const keys = [
    ...ORDER.filter((k) => k in subject),
    ...Object.keys(subject).filter((k) => !ORDER.includes(k)),
  ];
  for (const k of keys) {
    const v = subject[k];
    for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
      parts.push(`${k}=${value.replace(/([,+"\\<>;])/g, '\\$1')}`);
    }
  }
  return parts.join(',');
}

interface Rule {
  pattern: RegExp;
  replacement: string;
  caseMode: '' | 'L' | 'U';
}

export type PrincipalMapper = (dn: string) => string;

/** Parses Kafka-style mapping rules; throws with a message for a malformed rule. */
export function principalMapper(rules: string | undefined): PrincipalMapper {
  if (!rules || rules.trim() === '' || rules.trim() === 'DEFAULT') return (dn) => dn;
  const parsed: (Rule | 'DEFAULT')[] = [];
  const re = /\s*(DEFAULT|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while (consumed < rules.length && (m = re.exec(rules)) !== null) {
    consumed = re.lastIndex;
    if (m[1] === 'DEFAULT') parsed.push('DEFAULT');
    else
      parsed.push({
        pattern: new RegExp(m[2]!),
        replacement: m[3]!,
        caseMode: (m[4] ?? '') as Rule['caseMode'],
      });
  }
  if (consumed < rules.length) throw new Error(`invalid principal mapping rules: ${rules}`);
  return (dn) => {
    for (const r of parsed) {
      if (r === 'DEFAULT') return dn;
      const match = r.pattern.exec(dn);
      if (!match) continue;
      const out = dn.replace(r.pattern, r.replacement);
      return r.caseMode === 'L' ? out.toLowerCase() : r.caseMode === 'U' ? out.toUpperCase() : out;
    }
    return dn;
  };
}
