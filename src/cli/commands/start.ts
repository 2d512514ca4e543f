/**
 * `samsa start`: runs the broker in the foreground until SIGINT/SIGTERM, then shuts down
 * gracefully. Settings come from flags, SAMSA_* variables or `--config FILE` (see broker/config.ts).
 * Prints `Samsa listening on HOST:PORT` once clients can connect.
 */
import { ConfigError, loadConfig, SETTINGS } from '../../broker/config.ts';
import { Broker } from '../../broker/server.ts';
import { formatOptions, type OptionSpec, parseArgs, UsageError } from '../args.ts';

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
  {
    name: 'config',
    type: 'string',
    description: 'read settings from a .json or .properties file',
    placeholder: 'FILE',
  },
  { name: 'no-proxy', type: 'boolean', description: 'do not run the HTTP proxy (127.0.0.1:8082)' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

export const START_HELP = `Usage: samsa start [options]

Runs a Kafka-compatible broker. Any Kafka client can connect to it.

Options:
${formatOptions(OPTIONS)}

Every option can also be set as an environment variable (--data-dir → SAMSA_DATA_DIR) or in a
config file (data-dir=... or Kafka's name, e.g. num.partitions=3).

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
  const { config: configFile, help: _help, 'no-proxy': noProxy, ...flags } = options;
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
  let proxy: Promise<{ stop(): Promise<void> } | null> = Promise.resolve(null);
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      broker.services.logger.info({ signal }, 'shutting down');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      proxy
        .then((p) => p?.stop())
        .catch(() => {})
        .finally(() => broker.stop().then(resolve, resolve));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  console.log(`Samsa listening on ${config.host}:${broker.port} (data in ${config.dataDir})`);
  if (noProxy !== true) {
    proxy = import('../../proxy/embedded.ts').then((m) =>
      m.startEmbeddedProxy(broker.listeners, config.port === 0 || /:0(,|$)/.test(config.listeners), (line) =>
        console.log(line),
      ),
    );
  }
  await stopped;
  return 0;
}
