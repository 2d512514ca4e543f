/**
 * `samsa start`: runs the broker in the foreground until SIGINT/SIGTERM, then shuts down
 * gracefully. Settings come from flags, SAMSA_* variables or `--config FILE` (see broker/config.ts).
 * Prints `Samsa listening on HOST:PORT` once clients can connect.
 */
import { ConfigError, loadConfig, SETTINGS } from '../../broker/config.ts';
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
      placeholder: s.kind === 'int' ? 'N' : s.kind === 'fsync' ? 'always|interval|never' : 'VALUE',
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
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

export const START_HELP = `Usage: samsa start [options]

Runs a Kafka-compatible broker. Any Kafka client can connect to it.

Options:
${formatOptions(OPTIONS)}

Every option can also be set as an environment variable (--data-dir → SAMSA_DATA_DIR) or in a
config file (data-dir=... or Kafka's name, e.g. num.partitions=3).

The schema registry runs beside the broker on 127.0.0.1:8081 (--no-registry turns it off).

Examples:
  samsa start
  samsa start --port 19092 --data-dir /var/lib/samsa --fsync always
  SAMSA_NUM_PARTITIONS=6 samsa start --config samsa.properties`;

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
    ...flags
  } = options;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(flags, process.env, typeof configFile === 'string' ? configFile : undefined);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const broker = await Broker.start(config);
  // Signal handlers go in before the line is printed: a supervisor (or test) that sends SIGTERM as
  // soon as it reads it must get a clean shutdown, not Node's default exit by signal.
  let stopRegistry = async (): Promise<void> => undefined;
  let proxy: Promise<{ stop(): Promise<void> } | null> = Promise.resolve(null);
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      broker.services.logger.info({ signal }, 'shutting down');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      proxy
        .then((p) => p?.stop())
        .catch(() => undefined)
        .then(() => stopRegistry())
        .catch(() => undefined)
        .then(() => broker.stop())
        .then(resolve, resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  console.log(`Samsa listening on ${config.host}:${broker.port} (data in ${config.dataDir})`);
  const registry = await startEmbeddedRegistry(options, broker.listeners, broker.services.logger);
  if (registry) [broker.services.schemaIds, stopRegistry] = [registry.validator, registry.stop];
  if (runProxy !== false) {
    proxy = import('../../proxy/embedded.ts').then((m) =>
      m.startEmbeddedProxy(
        broker.listeners,
        config.port === 0 || /:0(,|$)/.test(config.listeners),
        registry?.url,
        (line) => console.log(line),
      ),
    );
  }
  await stopped;
  await registry?.stop(); // when the signal came while it was starting
  return 0;
}
