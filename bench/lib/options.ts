/**
 * Command-line options of `npm run bench` and the durations they imply. `--quick` keeps the whole
 * run under a minute; full mode measures longer windows and more workloads.
 */
import { parseArgs } from 'node:util';

export const GROUPS = [
  'ceilings',
  'clients',
  'samsa',
  'peers',
  'registry',
  'emit',
  'proxy',
  'postgres',
  'connectors',
] as const;
export type Group = (typeof GROUPS)[number];

export interface BenchOptions {
  quick: boolean;
  json: boolean;
  /** Also write the JSON to this file. */
  out: string | null;
  groups: Set<Group>;
  /** Throughput measurement window after warm-up. */
  durationMs: number;
  warmupMs: number;
  /** Window per end-to-end latency rate. */
  latencyMs: number;
  connections: number;
  window: number;
}

export const USAGE = `Usage: npm run bench -- [--quick] [--json] [--out FILE] [--only ceilings,clients,samsa,peers,registry,emit,proxy,postgres,connectors]

  --quick        short windows (whole run under 60 s)
  --json         print one JSON object { machine, results } instead of the table
  --out FILE     also write that JSON object to FILE
  --only LIST    run only these groups (default: all)
  --connections N, --window N   lean generator: connections and requests in flight per connection`;

/** The part of the options a latency run needs (passed to a child process as JSON). */
export type LatencyWindow = Pick<BenchOptions, 'warmupMs' | 'latencyMs'>;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
      connections: { type: 'string', default: '2' },
      window: { type: 'string', default: '16' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const groups = new Set<Group>(
    values.only
      ? values.only.split(',').map((g) => {
          if (!(GROUPS as readonly string[]).includes(g)) throw new Error(`unknown group "${g}"\n${USAGE}`);
          return g as Group;
        })
      : GROUPS,
  );
  const quick = values.quick;
  return {
    quick,
    json: values.json,
    out: values.out ?? null,
    groups,
    durationMs: quick ? 800 : 5000,
    warmupMs: quick ? 200 : 1000,
    latencyMs: quick ? 1000 : 10000,
    connections: Number(values.connections),
    window: Number(values.window),
  };
}
