/**
 * The connector plugins built into Samsa, listed by `GET /connector-plugins`. Each connector adds
 * one line here. The file connectors use only node:fs and are listed as they are; the others are
 * listed by their info (names, type, config keys) and imported when a connector of their class
 * first starts or is validated, so an idle worker does not load pg, ioredis, undici or hyparquet
 * (docs/benchmarks.md, "Connect worker memory").
 */
import type { ConnectorPlugin, ConnectorPluginInfo, LazyConnectorPlugin } from '../connect/api/index.ts';
import { ARCHIVE_SINK_INFO, ARCHIVE_SOURCE_INFO } from './archive/config.ts';
import { fileStreamSinkPlugin } from './file/file-stream-sink.ts';
import { fileStreamSourcePlugin } from './file/file-stream-source.ts';
import { HTTP_SINK_INFO } from './http-sink/config.ts';
import { POSTGRES_CDC_INFO } from './postgres-cdc/config.ts';
import { POSTGRES_SINK_INFO } from './postgres-sink/config.ts';
import { REDIS_SINK_INFO } from './redis-sink/config.ts';

function lazy(info: ConnectorPluginInfo, load: () => Promise<ConnectorPlugin>): LazyConnectorPlugin {
  return { ...info, load };
}

export const CONNECTORS: readonly (ConnectorPlugin | LazyConnectorPlugin)[] = [
  fileStreamSourcePlugin,
  fileStreamSinkPlugin,
  lazy(POSTGRES_CDC_INFO, async () => (await import('./postgres-cdc/index.ts')).postgresCdcSource),
  lazy(POSTGRES_SINK_INFO, async () => (await import('./postgres-sink/index.ts')).postgresSink),
  lazy(HTTP_SINK_INFO, async () => (await import('./http-sink/index.ts')).httpSinkPlugin),
  lazy(REDIS_SINK_INFO, async () => (await import('./redis-sink/index.ts')).redisSinkPlugin),
  lazy(ARCHIVE_SINK_INFO, async () => (await import('./archive/index.ts')).archiveSinkPlugin),
  lazy(ARCHIVE_SOURCE_INFO, async () => (await import('./archive/source.ts')).archiveSourcePlugin),
];
