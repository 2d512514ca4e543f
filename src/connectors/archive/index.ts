/**
 * The archive plugins: `samsa.connect.archive.ArchiveSinkConnector` writes topics to Parquet or
 * jsonl.gz files, `samsa.connect.archive.ArchiveSourceConnector` re-publishes them. The CLI's
 * `archive:ls` and `archive:replay` read the same files through reader.ts.
 */
import {
  type ConnectConfig,
  ConnectError,
  type Connector,
  type SinkConnectorPlugin,
} from '../../connect/api/index.ts';
import { ARCHIVE_SINK_INFO, archiveSinkSettings } from './config.ts';
import { ArchiveSinkTask } from './sink-task.ts';

class ArchiveSinkConnector implements Connector {
  #config: ConnectConfig = {};

  start(config: ConnectConfig): void {
    try {
      archiveSinkSettings(config);
    } catch (err) {
      throw new ConnectError((err as Error).message);
    }
    this.#config = config;
  }

  taskConfigs(maxTasks: number): ConnectConfig[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.#config }));
  }

  stop(): void {}
}

export const archiveSinkPlugin: SinkConnectorPlugin = {
  ...ARCHIVE_SINK_INFO,
  createConnector: () => new ArchiveSinkConnector(),
  createTask: () => new ArchiveSinkTask(),
};

export { ArchiveSinkTask } from './sink-task.ts';
export { archiveSourcePlugin } from './source.ts';
