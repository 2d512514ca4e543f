/**
 * `samsa start`: runs the broker in the foreground until SIGINT/SIGTERM, then shuts down
 * gracefully. Settings come from flags, SAMSA_* variables or `--config FILE` (see broker/config.ts).
 * Prints `Samsa listening on HOST:PORT` once clients can connect (with several listeners, each one
 * with its security protocol: `HOST:PORT (PLAINTEXT), HOST:PORT (SASL_SSL)`).
 *
 * The platform services start after the broker listens, each on its conventional local port and
 * each switchable off: the schema registry (8081, `--no-registry`), the HTTP proxy (8082,
 * `--no-proxy`), a Connect worker (8083, `--no-connect`) and the web console (8080,
 * `--no-console`). A service that cannot start (its port taken) logs a warning; the broker keeps
 * running. Prometheus metrics are served on 127.0.0.1:9644/metrics (`--metrics-port`, 0 turns them
 * off; a free port when the broker's is 0).
 */
import { type BrokerConfig, ConfigError, DEFAULT_CONFIG, loadConfig, SETTINGS } from '../../broker/config.ts';
import { Broker } from '../../broker/server.ts';
import { formatOptions, type OptionSpec, parseArgs, UsageError } from '../args.ts';
import { REGISTRY_OPTIONS, startEmbeddedRegistry } from '../embedded-registry.ts';

const OPTIONS: OptionSpec[] = [
  ...SETTINGS.map(
    (s): OptionSpec => ({
      name: s.flag,
      type: s.kind === 'bool' ? 'boolean' : 'string',
      repeatable: s.kind === 'list',
      description: s.help,
      placeholder: s.kind === 'int' ? 'N' : s.choices ? s.choices.join('|') : 'VALUE',
    }),
  ),
  ...REGISTRY_OPTIONS,
  {
    name: 'config',
    type: 'string',
    description: 'read settings from a .json or .properties file',
    placeholder: 'FILE',
  },
  {
    name: 'proxy',
    type: 'boolean',
    description: 'run the HTTP proxy on 127.0.0.1:8082 (default; --no-proxy turns it off)',
  },
  { name: 'proxy-port', type: 'string', description: 'HTTP proxy port (default 8082)', placeholder: 'PORT' },
  {
    name: 'connect',
    type: 'boolean',
    description:
      'also run a Connect worker, REST API on 127.0.0.1:8083 (default; --no-connect or SAMSA_CONNECT=0 turns it off)',
  },
  {
    name: 'console',
    type: 'boolean',
    description: 'run the web console on 127.0.0.1:8080 (default; --no-console turns it off)',
  },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

export const START_HELP = `Usage: samsa start [options]

Runs a Kafka-compatible broker. Any Kafka client can connect to it.

Options:
${formatOptions(OPTIONS)}

Every option can also be set as an environment variable (--data-dir → SAMSA_DATA_DIR) or in a
config file (data-dir=... or Kafka's name, e.g. num.partitions=3).

Beside the broker run the schema registry on 127.0.0.1:8081 (--no-registry), the HTTP proxy on
127.0.0.1:8082 (--no-proxy), a Connect worker on 127.0.0.1:8083 (--no-connect) and the web
console on http://127.0.0.1:8080 (--no-console). Prometheus metrics are at
http://127.0.0.1:9644/metrics (--metrics-port N, 0 turns them off).

Examples:
  samsa start
  samsa start --port 19092 --data-dir /var/lib/samsa --fsync always
  SAMSA_NUM_PARTITIONS=6 samsa start --config samsa.properties`;

/**
 * `samsa start`'s defaults where Kafka's shipped `config/server.properties` differs from its code
 * defaults (Kafka's `DEFAULT_CONFIG` stays for embedding): a fresh consumer group rebalances at
 * once. Production: `--group-initial-rebalance-delay-ms 3000` (docs/consumer-groups.md).
 */
export const START_DEFAULTS: BrokerConfig = { ...DEFAULT_CONFIG, groupInitialRebalanceDelayMs: 0 };

/** The broker configuration `samsa start` runs with: START_DEFAULTS, config file, env, flags. */
export function startConfig(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  configFile: string | undefined,
): BrokerConfig {
  return loadConfig(flags, env, configFile, START_DEFAULTS);
}

/** Where `samsa start` serves Prometheus metrics unless --metrics-port says otherwise. */
const DEFAULT_METRICS_PORT = 9644;

interface Stoppable {
  stop(): Promise<void> | void;
}

export async function startCommand(argv: readonly string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.help) {
    console.log(START_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const {
    config: configFile,
    help: _help,
    registry: _r,
    'registry-port': _rp,
    proxy: runProxy,
    'proxy-port': proxyPortText,
    connect: connectFlag,
    console: runConsole,
    ...flags
  } = options;
  const proxyPort = proxyPortText === undefined ? undefined : Number(proxyPortText);
  if (proxyPort !== undefined && !(Number.isInteger(proxyPort) && proxyPort >= 0 && proxyPort <= 65535))
    throw new UsageError(`--proxy-port must be a port number, got "${proxyPortText}"`);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = startConfig(flags, process.env, typeof configFile === 'string' ? configFile : undefined);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  // A broker on port 0 (tests, several brokers at once) gets its services on free ports too.
  const ephemeral = config.port === 0 || /:0(,|$)/.test(config.listeners);
  const metricsPort = config.metricsPort ?? (ephemeral ? 0 : DEFAULT_METRICS_PORT);
  const broker = await Broker.start(
    config,
    config.metricsPort === 0 ? {} : { metrics: { port: metricsPort } },
  );
  // Services started below, stopped in reverse order before the broker. A signal during their
  // start lets the one starting finish, starts no more, then stops them all.
  const services: Stoppable[] = [];
  let shuttingDown = false;
  let starting: Promise<void> = Promise.resolve();
  // Signal handlers go in before the line is printed: a supervisor (or test) that sends SIGTERM as
  // soon as it reads it must get a clean shutdown, not Node's default exit by signal.
  const stopped = new Promise<Error | null>((resolve) => {
    const onSignal = (signal: string): void => {
      broker.services.logger.info({ signal }, 'shutting down');
      shuttingDown = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      starting
        .then(() => stopServices(services))
        .then(() => broker.stop())
        .then(
          () => resolve(null),
          (err: unknown) => resolve(err as Error),
        );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  console.log(`Samsa listening on ${listeningOn(broker.listeners)} (data in ${config.dataDir})`);
  if (broker.metricsUrl) console.log(`Metrics on ${broker.metricsUrl}`);

  /** Starts one service unless shutdown has begun; a service that fails to start has logged why. */
  const start = async (begin: () => Promise<Stoppable | null>): Promise<Stoppable | null> => {
    if (shuttingDown) return null;
    const service = await begin().catch(() => null);
    if (service !== null) services.push(service);
    return service;
  };
  const registryFlags =
    ephemeral && options['registry-port'] === undefined ? { ...options, 'registry-port': '0' } : options;
  starting = (async () => {
    const later: Promise<unknown>[] = [];
    // The Connect worker needs nothing from the registry: it starts beside it, so their start-ups
    // (group joins that wait out group.initial.rebalance.delay.ms when it is set) overlap.
    let connect: { url(): Promise<string | undefined> } | null = null;
    if (connectFlag !== false && !['0', 'false', 'no'].includes(process.env.SAMSA_CONNECT ?? '')) {
      later.push(
        start(() =>
          import('../../connect/runtime/embedded.ts').then(
            (m) =>
              (connect = m.startEmbeddedConnect(
                `${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${broker.port}`,
                broker.services.logger,
                ephemeral,
                (line) => console.log(line),
              )),
          ),
        ),
      );
    }
    const registry = (await start(() =>
      startEmbeddedRegistry(registryFlags, broker.listeners, broker.services.logger),
    )) as Awaited<ReturnType<typeof startEmbeddedRegistry>>;
    if (registry) broker.services.schemaIds = registry.validator;
    if (runProxy !== false) {
      later.push(
        start(() =>
          import('../../proxy/embedded.ts').then((m) =>
            m.startEmbeddedProxy(
              broker.listeners,
              ephemeral,
              registry?.url,
              (line) => console.log(line),
              proxyPort,
            ),
          ),
        ),
      );
    }
    if (runConsole !== false) {
      const connectUrl = async () => connect?.url();
      // The broker's Prometheus endpoint (throughput charts), unless --metrics-port 0 turned it off.
      const metricsUrl = async () => broker.metricsUrl;
      later.push(
        start(() =>
          import('../../console/embedded.ts').then((m) =>
            m.startEmbeddedConsole(
              broker.listeners,
              ephemeral,
              { registryUrl: registry?.url, connectUrl, metricsUrl },
              (line) => console.log(line),
            ),
          ),
        ),
      );
    }
    await Promise.all(later);
  })();

  const failure = await stopped;
  if (failure === null) return 0;
  // A full disk at shutdown: say so and exit non-zero; the data stays, indexes are rebuilt on start.
  const details = failure instanceof AggregateError ? failure.errors.map((e) => (e as Error).message) : [];
  console.error(`samsa start: shutdown failed: ${[failure.message, ...details].join('\n  ')}`);
  return 1;
}

/** Stops the platform services, newest first; one failing does not keep the others running. */
async function stopServices(services: readonly Stoppable[]): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.stop();
    } catch {
      // A service that failed to start or stop has already logged why.
    }
  }
}

/** `127.0.0.1:9092`, or every listener with its protocol when there are several. */
export function listeningOn(listeners: readonly { protocol: string; host: string; port: number }[]): string {
  if (listeners.length === 1) return `${listeners[0]!.host}:${listeners[0]!.port}`;
  return listeners.map((l) => `${l.host}:${l.port} (${l.protocol})`).join(', ');
}
