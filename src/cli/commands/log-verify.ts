/**
 * `samsa log:verify`: checks a data directory's segment files offline (batch framing, offsets,
 * indexes, and with --deep every CRC and record), like Kafka's `kafka-dump-log --deep-iteration`.
 * Prints each problem with its file and byte position and exits 1 when any is damage (warnings are
 * states the broker repairs on its next start and leave the exit code at 0).
 *
 * The one platform command that reads broker files rather than talking Kafka: an offline tool over
 * the data directory, so it loads the storage layer (src/log/log-verify.ts) directly, on demand.
 * test/cli/boundaries.test.ts allows this file that exception.
 */
import { defineCommand } from '../command.ts';
import { formatJson } from '../output.ts';

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : noun.endsWith('h') ? 'es' : 's'}`;
}

export const logVerifyCommand = defineCommand({
  name: 'log:verify',
  summary: "check a data directory's log files (framing, offsets, indexes, CRCs)",
  description:
    "Reads every segment of a broker's data directory and reports damaged batches (length, magic, offsets), index entries that point at the wrong place, and with --deep CRC mismatches and records that cannot be decoded, each with its file and byte position. Exits 1 when it finds damage, 0 otherwise (warnings, such as a missing index the broker rebuilds on start, do not count). Safe on a running broker's directory, whose newest segments may then grow while they are read.",
  offline: true,
  options: [
    {
      name: 'data-dir',
      type: 'string',
      placeholder: 'DIR',
      description: 'the broker data directory (samsa start --data-dir)',
    },
    {
      name: 'topic',
      short: 't',
      type: 'string',
      placeholder: 'TOPIC',
      description: "only this topic's partitions",
    },
    { name: 'deep', type: 'boolean', description: 'also check every CRC and decode every record' },
  ],
  examples: [
    'samsa log:verify --data-dir ./samsa-data',
    'samsa log:verify --data-dir /var/lib/samsa --topic orders --deep',
  ],
  async run(ctx) {
    const dataDir = ctx.string('data-dir') ?? './samsa-data';
    const { verifyDataDir } = await import('../../log/log-verify.ts');
    const report = verifyDataDir(dataDir, { topic: ctx.string('topic'), deep: ctx.flag('deep') });
    const errors = report.problems.filter((p) => p.severity === 'error');
    if (ctx.json) {
      ctx.out(formatJson({ ...report, errors: errors.length }));
      return errors.length > 0 ? 1 : 0;
    }
    for (const p of report.problems) {
      const where = p.position === undefined ? p.file : `${p.file} at position ${p.position}`;
      ctx.out(`${p.severity === 'error' ? 'ERROR' : 'warning'}: ${where}: ${p.message}`);
    }
    const mb = (report.bytes / 1e6).toFixed(1);
    const records = report.deep ? `, ${report.records} records` : '';
    ctx.out(
      `Checked ${count(report.partitions, 'partition')}, ${count(report.segments, 'segment')}, ${count(report.batches, 'batch')}${records} (${mb} MB) in ${dataDir}${report.deep ? ' (deep)' : ''}: ` +
        (errors.length === 0
          ? `no damage found${report.problems.length > 0 ? ` (${report.problems.length} warnings)` : ''}.`
          : `${errors.length} ${errors.length === 1 ? 'problem' : 'problems'} found.`),
    );
    return errors.length > 0 ? 1 : 0;
  },
});
