/**
 * The connector plugins built into Samsa, listed by `GET /connector-plugins`. Each connector adds
 * one line here.
 */
import type { ConnectorPlugin } from '../connect/api/index.ts';
import { archiveSinkPlugin, archiveSourcePlugin } from './archive/index.ts';
import { fileStreamSinkPlugin } from './file/file-stream-sink.ts';
import { fileStreamSourcePlugin } from './file/file-stream-source.ts';
import { httpSinkPlugin } from './http-sink/index.ts';
import { postgresCdcSource } from './postgres-cdc/index.ts';
import { postgresSink } from './postgres-sink/index.ts';
import { redisSinkPlugin } from './redis-sink/index.ts';

export const CONNECTORS: readonly ConnectorPlugin[] = [
  fileStreamSourcePlugin,
  fileStreamSinkPlugin,
  postgresCdcSource,
  postgresSink,
  httpSinkPlugin,
  redisSinkPlugin,
  archiveSinkPlugin,
  archiveSourcePlugin,
];
