/**
 * `connection.url` in either form users bring: a libpq URL (`postgres://user:pass@host:5432/db`,
 * `postgresql://...`) or a JDBC URL (`jdbc:postgresql://host:5432/db?user=u&password=p&ssl=true`).
 * Query parameters understood: user, password, sslmode (disable|allow|prefer|require|verify-ca|
 * verify-full), ssl=true.
 */

export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
  readonly ssl: false | { rejectUnauthorized: boolean };
}

export function parseConnectionUrl(text: string): ConnectionTarget {
  const trimmed = text.trim();
  const jdbc = trimmed.startsWith('jdbc:');
  const raw = jdbc ? trimmed.slice('jdbc:'.length) : trimmed;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `not a PostgreSQL URL: expected postgres://host:port/database or jdbc:postgresql://host:port/database`,
    );
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol)) {
    throw new Error(
      `unsupported URL scheme "${url.protocol.replace(/:$/, '')}": this sink writes to PostgreSQL (postgres:// or jdbc:postgresql://)`,
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!url.hostname) throw new Error('the URL names no host');
  if (!database) throw new Error('the URL names no database (…/database)');
  const params = url.searchParams;
  const user = params.get('user') ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = params.get('password') ?? (url.password ? decodeURIComponent(url.password) : undefined);
  const sslmode = params.get('sslmode') ?? (params.get('ssl') === 'true' ? 'require' : 'disable');
  const ssl =
    sslmode === 'verify-ca' || sslmode === 'verify-full'
      ? { rejectUnauthorized: true }
      : sslmode === 'require'
        ? { rejectUnauthorized: false }
        : (false as const);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 5432,
    database,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    ssl,
  };
}
