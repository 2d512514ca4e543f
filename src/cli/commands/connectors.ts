/**
 * The `connectors` commands: list, create, info (status, tasks, topics, lag for sinks), pause,
 * resume, restart, destroy and offsets, all through the Kafka Connect REST API (`--connect-url`),
 * so they drive Samsa's worker or a real Kafka Connect cluster alike.
 */
import { readFileSync } from 'node:fs';
import { parseProperties } from '../../connect/runtime/properties.ts';
import { UsageError } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import { confirmName } from '../confirm.ts';
import { CONNECT_URL_OPTION, connectApi, encodeName } from '../connect-client.ts';
import { groupLag } from '../group-offsets.ts';
import { formatFields, formatJson, formatTable } from '../output.ts';

interface Status {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: { id: number; state: string; worker_id: string; trace?: string }[];
  type: string;
}

interface Info {
  name: string;
  config: Record<string, string>;
  tasks: { connector: string; task: number }[];
  type: string;
}

export const connectorsCommand = defineCommand({
  name: 'connectors',
  summary: 'list connectors with their state',
  options: [CONNECT_URL_OPTION],
  examples: ['samsa connectors', 'samsa connectors --connect-url http://connect:8083 --json'],
  async run(ctx) {
    const api = connectApi(ctx);
    const all = await api.call<Record<string, { status: Status; info: Info }>>(
      'GET',
      '/connectors?expand=status&expand=info',
    );
    const rows = Object.values(all)
      .map(({ status, info }) => ({
        name: info.name,
        type: info.type,
        class: info.config['connector.class'] ?? '',
        state: status.connector.state,
        tasks: status.tasks.length,
        running: status.tasks.filter((t) => t.state === 'RUNNING').length,
        failed: status.tasks.filter((t) => t.state === 'FAILED').length,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (ctx.json) {
      ctx.out(formatJson(rows));
      return 0;
    }
    ctx.out(
      formatTable(
        [
          { header: 'name', value: (r: (typeof rows)[number]) => r.name },
          { header: 'type', value: (r) => r.type },
          { header: 'state', value: (r) => r.state },
          {
            header: 'tasks',
            value: (r) => `${r.running}/${r.tasks} running${r.failed ? `, ${r.failed} failed` : ''}`,
          },
          { header: 'class', value: (r) => r.class },
        ],
        rows,
        'No connectors. Create one with "samsa connectors:create --config FILE".',
      ),
    );
    return 0;
  },
});

function readConnectorFile(path: string): { name: string; config: Record<string, string> } {
  const text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  let body: Record<string, unknown>;
  if (/^\s*\{/.test(text)) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`${path === '-' ? 'stdin' : path} is not valid JSON: ${(err as Error).message}`);
    }
  } else {
    body = parseProperties(text);
  }
  const config = (typeof body.config === 'object' && body.config !== null ? body.config : body) as Record<
    string,
    unknown
  >;
  const name =
    typeof body.name === 'string' ? body.name : typeof config.name === 'string' ? config.name : undefined;
  if (!name) throw new UsageError('the connector config has no "name"');
  return {
    name,
    config: Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
  };
}

export const connectorsCreateCommand = defineCommand({
  name: 'connectors:create',
  summary: 'create (or with --update, update) a connector from a JSON or .properties file',
  options: [
    CONNECT_URL_OPTION,
    {
      name: 'config',
      short: 'c',
      type: 'string',
      placeholder: 'FILE|-',
      description: 'connector config: {"name","config"} JSON, flat JSON or .properties; - reads stdin',
    },
    {
      name: 'update',
      type: 'boolean',
      description: 'create or replace the config (PUT /connectors/NAME/config)',
    },
  ],
  examples: [
    'samsa connectors:create --config file-source.json',
    'cat sink.json | samsa connectors:create --config -',
    'samsa connectors:create --config sink.properties --update',
  ],
  async run(ctx) {
    const file = ctx.string('config');
    if (!file) throw new UsageError('--config FILE (or - for stdin) is required');
    const { name, config } = readConnectorFile(file);
    const api = connectApi(ctx);
    const info = ctx.flag('update')
      ? await api.call<Info>('PUT', `/connectors/${encodeName(name)}/config`, config)
      : await api.call<Info>('POST', '/connectors', { name, config });
    ctx.out(
      ctx.json
        ? formatJson(info)
        : `${ctx.flag('update') ? 'Configured' : 'Created'} connector ${info.name} (${info.type})`,
    );
    return 0;
  },
});

async function lagOf(ctx: CommandContext, name: string) {
  try {
    const lags = await groupLag(ctx.admin(), `connect-${name}`, new Map());
    return lags.map((l) => ({
      topic: l.topic,
      partition: l.partition,
      committedOffset: l.committed,
      logEndOffset: l.logEnd,
      lag: l.lag,
    }));
  } catch {
    return null;
  }
}

export const connectorsInfoCommand = defineCommand({
  name: 'connectors:info',
  summary: 'show a connector: state, tasks with errors, topics, config, and lag for sinks',
  args: [{ name: 'NAME' }],
  options: [CONNECT_URL_OPTION],
  examples: ['samsa connectors:info pg-sink', 'samsa connectors:info pg-sink --json | jq .tasks'],
  async run(ctx) {
    const name = ctx.args[0]!;
    const api = connectApi(ctx);
    const [status, info, topics] = await Promise.all([
      api.call<Status>('GET', `/connectors/${encodeName(name)}/status`),
      api.call<Info>('GET', `/connectors/${encodeName(name)}`),
      api
        .call<Record<string, { topics: string[] }>>('GET', `/connectors/${encodeName(name)}/topics`)
        .catch(() => null),
    ]);
    const lag = info.type === 'sink' ? await lagOf(ctx, name) : null;
    const totalLag = lag?.reduce((n, l) => n + (l.lag ?? 0n), 0n) ?? null;
    if (ctx.json) {
      ctx.out(
        formatJson({ ...status, config: info.config, topics: topics?.[name]?.topics ?? [], lag, totalLag }),
      );
      return 0;
    }
    ctx.out(
      formatFields([
        ['Name', name],
        ['Type', info.type],
        ['Class', info.config['connector.class']],
        ['State', status.connector.state],
        ['Worker', status.connector.worker_id],
        ['Topics', (topics?.[name]?.topics ?? []).join(', ') || undefined],
        ...(info.type === 'sink' ? ([['Total lag', totalLag]] as const) : []),
      ]),
    );
    if (status.connector.trace) ctx.out(`\nConnector error:\n${status.connector.trace}`);
    ctx.out('');
    ctx.out(
      formatTable(
        [
          { header: 'task', value: (t: Status['tasks'][number]) => t.id, right: true },
          { header: 'state', value: (t) => t.state },
          { header: 'worker', value: (t) => t.worker_id },
          { header: 'error', value: (t) => t.trace?.split('\n')[0] },
        ],
        status.tasks,
        'No tasks.',
      ),
    );
    if (lag && lag.length > 0) {
      ctx.out('');
      ctx.out(
        formatTable(
          [
            { header: 'topic', value: (l: (typeof lag)[number]) => l.topic },
            { header: 'partition', value: (l) => l.partition, right: true },
            { header: 'committed', value: (l) => l.committedOffset, right: true },
            { header: 'log end', value: (l) => l.logEndOffset, right: true },
            { header: 'lag', value: (l) => l.lag, right: true },
          ],
          lag,
        ),
      );
    }
    return 0;
  },
});

function action(name: string, summary: string, method: string, path: (n: string) => string, done: string) {
  return defineCommand({
    name,
    summary,
    args: [{ name: 'NAME' }],
    options: [CONNECT_URL_OPTION],
    examples: [`samsa ${name} my-connector`],
    async run(ctx) {
      const connector = ctx.args[0]!;
      await connectApi(ctx).call(method, path(encodeName(connector)));
      ctx.out(ctx.json ? formatJson({ name: connector, done: true }) : `${done} connector ${connector}`);
      return 0;
    },
  });
}

export const connectorsPauseCommand = action(
  'connectors:pause',
  'pause a connector and its tasks',
  'PUT',
  (n) => `/connectors/${n}/pause`,
  'Paused',
);
export const connectorsResumeCommand = action(
  'connectors:resume',
  'resume a paused or stopped connector',
  'PUT',
  (n) => `/connectors/${n}/resume`,
  'Resumed',
);

export const connectorsRestartCommand = defineCommand({
  name: 'connectors:restart',
  summary: 'restart a connector (and with --include-tasks its tasks; --only-failed for failed ones)',
  args: [{ name: 'NAME' }],
  options: [
    CONNECT_URL_OPTION,
    { name: 'include-tasks', type: 'boolean', description: 'restart the tasks too' },
    { name: 'only-failed', type: 'boolean', description: 'restart only what has FAILED' },
    { name: 'task', type: 'string', placeholder: 'ID', description: 'restart only this task' },
  ],
  examples: [
    'samsa connectors:restart pg-sink --include-tasks --only-failed',
    'samsa connectors:restart pg-sink --task 0',
  ],
  async run(ctx) {
    const name = ctx.args[0]!;
    const api = connectApi(ctx);
    const task = ctx.integer('task', 0);
    if (task !== undefined) await api.call('POST', `/connectors/${encodeName(name)}/tasks/${task}/restart`);
    else {
      const query = `?includeTasks=${ctx.flag('include-tasks')}&onlyFailed=${ctx.flag('only-failed')}`;
      await api.call('POST', `/connectors/${encodeName(name)}/restart${query}`);
    }
    ctx.out(
      ctx.json
        ? formatJson({ name, restarted: true })
        : `Restarting connector ${name}${task !== undefined ? ` task ${task}` : ''}`,
    );
    return 0;
  },
});

export const connectorsDestroyCommand = defineCommand({
  name: 'connectors:destroy',
  summary: 'delete a connector (its topics and offsets stay)',
  args: [{ name: 'NAME' }],
  options: [
    CONNECT_URL_OPTION,
    {
      name: 'confirm',
      type: 'string',
      placeholder: 'NAME',
      description: 'the connector name again, to confirm',
    },
  ],
  examples: ['samsa connectors:destroy pg-sink --confirm pg-sink'],
  async run(ctx) {
    const name = ctx.args[0]!;
    if (!(await confirmName(name, ctx.string('confirm'), 'connector'))) {
      throw new UsageError(`not confirmed: pass --confirm ${name} to delete connector ${name}`);
    }
    await connectApi(ctx).call('DELETE', `/connectors/${encodeName(name)}`);
    ctx.out(ctx.json ? formatJson({ name, deleted: true }) : `Deleted connector ${name}`);
    return 0;
  },
});

export const connectorsOffsetsCommand = defineCommand({
  name: 'connectors:offsets',
  summary: "show, reset (--reset) or set (--set FILE) a connector's offsets (KIP-875)",
  args: [{ name: 'NAME' }],
  description:
    'Shows the offsets of a connector: source partitions and offsets for source connectors, topic partitions and consumer offsets for sink connectors. --reset and --set need the connector to be stopped first (PUT /connectors/NAME/stop; "samsa connectors:resume" starts it again).',
  options: [
    CONNECT_URL_OPTION,
    { name: 'reset', type: 'boolean', description: 'remove all offsets (the connector starts over)' },
    {
      name: 'set',
      type: 'string',
      placeholder: 'FILE',
      description: 'PATCH offsets from a JSON file {"offsets":[{"partition":..., "offset":...}]}',
    },
  ],
  examples: ['samsa connectors:offsets file-source', 'samsa connectors:offsets pg-sink --reset'],
  async run(ctx) {
    const name = ctx.args[0]!;
    const api = connectApi(ctx);
    const path = `/connectors/${encodeName(name)}/offsets`;
    if (ctx.flag('reset')) {
      const r = await api.call<{ message: string }>('DELETE', path);
      ctx.out(ctx.json ? formatJson(r) : r.message);
      return 0;
    }
    const file = ctx.string('set');
    if (file) {
      const r = await api.call<{ message: string }>('PATCH', path, JSON.parse(readFileSync(file, 'utf8')));
      ctx.out(ctx.json ? formatJson(r) : r.message);
      return 0;
    }
    const r = await api.call<{ offsets: { partition: unknown; offset: unknown }[] }>('GET', path);
    if (ctx.json) {
      ctx.out(formatJson(r));
      return 0;
    }
    ctx.out(
      formatTable(
        [
          { header: 'partition', value: (o: (typeof r.offsets)[number]) => JSON.stringify(o.partition) },
          { header: 'offset', value: (o) => JSON.stringify(o.offset) },
        ],
        r.offsets,
        'No offsets.',
      ),
    );
    return 0;
  },
});
