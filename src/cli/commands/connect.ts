/**
 * `samsa connect`: runs a Kafka Connect-compatible worker in the foreground until SIGINT/SIGTERM.
 * Distributed by default (`--group-id`, internal topics); `--standalone` keeps offsets in
 * `offset.storage.file.filename` and creates the connectors given as files. Worker settings come
 * from `--config FILE` (Kafka Connect's worker property names, .properties or .json) and flags.
 */
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { connectionInput } from '../connection-flags.ts';

/**
 * One memory-reducing full GC a second after the worker started, when `gc()` is exposed (bin/samsa.js
 * gives `samsa connect` `--expose-gc`). Starting leaves garbage behind (module loading, the replay
 * of the internal topics) and V8 keeps the pages it freed in its pools; V8's memory reducer would
 * return them once the process is idle, but an idle worker's consumers keep allocating (~0.5 MB/s
 * of empty fetches), which V8 reads as a busy process, so it never runs. The "last-resort" flavor
 * is what returns the pages (a regular full GC frees the objects and keeps the pages): idle RSS
 * -14 MB, for one pause of 0.1-0.25 s (two Mark-Compacts, at load 8) a second after start
 * (docs/benchmarks.md, "Connect worker memory, second pass").
 */
function releaseStartupMemory(): void {
  const gc = (globalThis as { gc?: (options: object) => void }).gc;
  if (typeof gc !== 'function') return;
  setTimeout(() => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }), 1000).unref();
}

export const connectCommand = defineCommand({
  name: 'connect',
  summary: 'run a Kafka Connect-compatible worker (REST API on port 8083)',
  args: [{ name: 'CONNECTOR_FILE', optional: true, variadic: true }],
  description:
    "Runs a Connect worker against any Kafka cluster. Workers with the same --group-id share connectors and tasks; configs, offsets and statuses live in the topics connect-configs, connect-offsets and connect-status (Kafka Connect's names and formats). With --standalone the worker runs alone, keeps source offsets in a local file and creates the connectors given as CONNECTOR_FILE (.properties or .json).",
  options: [
    {
      name: 'bootstrap-server',
      type: 'string',
      placeholder: 'HOST:PORT',
      description: 'brokers to connect to (same as --bootstrap)',
    },
    {
      name: 'group-id',
      type: 'string',
      placeholder: 'ID',
      description: 'worker group (group.id, default connect-cluster)',
    },
    {
      name: 'rest-port',
      type: 'string',
      placeholder: 'PORT',
      description: 'REST API port (rest.port, default 8083)',
    },
    {
      name: 'rest-host',
      type: 'string',
      placeholder: 'HOST',
      description: 'REST API address (default 127.0.0.1)',
    },
    {
      name: 'config',
      type: 'string',
      placeholder: 'FILE',
      description: 'worker properties (.properties or .json)',
    },
    { name: 'standalone', type: 'boolean', description: 'standalone mode: no group, offsets in a file' },
    {
      name: 'offsets-file',
      type: 'string',
      placeholder: 'FILE',
      description: 'standalone offsets file (offset.storage.file.filename, default ./connect.offsets)',
    },
  ],
  examples: [
    'samsa connect --bootstrap-server 127.0.0.1:9092',
    'samsa connect --config connect-distributed.properties --rest-port 8084',
    'samsa connect --standalone file-source.properties',
  ],
  async run(ctx) {
    const { readConfigFile, startWorker, WorkerConfigError } = await import('../../connect/runtime/index.ts');
    const { connectionOptions, ConnectionConfigError } = await import('../../client/connection-options.ts');
    const configFile = ctx.string('config');
    let properties: Record<string, string> = {};
    try {
      if (configFile) properties = readConfigFile(configFile);
    } catch (err) {
      throw new UsageError(`cannot read --config ${configFile}: ${(err as Error).message}`);
    }
    const standalone = ctx.flag('standalone');
    if (!standalone && ctx.args.length > 0) {
      throw new UsageError(
        'connector files are only read with --standalone; create connectors with "samsa connectors:create"',
      );
    }
    const input = connectionInput(ctx.options, ctx.env);
    input.bootstrap = ctx.string('bootstrap-server') ?? input.bootstrap ?? properties['bootstrap.servers'];
    let connection: ReturnType<typeof connectionOptions>;
    try {
      connection = connectionOptions(input, ctx.env);
    } catch (err) {
      if (err instanceof ConnectionConfigError) throw new UsageError(err.message);
      throw err;
    }
    if (ctx.string('group-id')) properties['group.id'] = ctx.string('group-id')!;
    const restPort = ctx.integer('rest-port', 0);
    const connectors = ctx.args.map((file) => {
      try {
        return readConfigFile(file);
      } catch (err) {
        throw new UsageError(`cannot read connector file ${file}: ${(err as Error).message}`);
      }
    });
    let worker: Awaited<ReturnType<typeof startWorker>>;
    try {
      worker = await startWorker({
        connection,
        properties,
        settings: {
          ...(restPort === undefined ? {} : { restPort }),
          ...(ctx.string('rest-host') ? { restHost: ctx.string('rest-host')! } : {}),
          ...(standalone
            ? {
                mode: 'standalone' as const,
                offsetFile:
                  ctx.string('offsets-file') ??
                  properties['offset.storage.file.filename'] ??
                  'connect.offsets',
              }
            : {}),
        },
        connectors,
      });
    } catch (err) {
      if (err instanceof WorkerConfigError) throw new UsageError(err.message);
      throw err;
    }
    const stopped = new Promise<void>((resolve) => {
      const onSignal = (): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        worker.stop().then(resolve, resolve);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    releaseStartupMemory();
    ctx.note(
      `Samsa Connect worker listening on ${worker.restUrl} (${standalone ? 'standalone' : `group ${worker.settings.groupId}`})`,
    );
    await stopped;
    return 0;
  },
});
