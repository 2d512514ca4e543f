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
  {
    name: 'connect',
    type: 'boolean',
    description:
      'also run a Connect worker, REST API on 127.0.0.1:8083 (default; --no-connect or SAMSA_CONNECT=0 turns it off)',
  },
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
  const { config: configFile, help: _help, connect: connectFlag, ...flags } = options;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(flags, process.env, typeof configFile === 'string' ? configFile : undefined);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const broker = await Broker.start(config);
  const withConnect =
    connectFlag !== false && !['0', 'false', 'no'].includes(process.env.SAMSA_CONNECT ?? '');
  const connect = withConnect
    ? (await import('../../connect/runtime/embedded.ts')).startEmbeddedConnect(
        `${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${broker.port}`,
        broker.services.logger,
      )
    : null;
  // Signal handlers go in before the line is printed: a supervisor (or test) that sends SIGTERM as
  // soon as it reads it must get a clean shutdown, not Node's default exit by signal.
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      broker.services.logger.info({ signal }, 'shutting down');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      Promise.resolve(connect?.stop())
        .catch(() => {})
        .then(() => broker.stop())
        .then(resolve, resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  console.log(`Samsa listening on ${config.host}:${broker.port} (data in ${config.dataDir})`);
  await stopped;
  return 0;
}
