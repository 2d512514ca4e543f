/** The Connect runtime's public entry points: start a worker in this process, read worker configs. */

export { parseProperties, readConfigFile } from './properties.ts';
export { type RunningWorker, type StartWorkerOptions, startWorker } from './worker.ts';
export { WorkerConfigError, type WorkerSettings, workerSettings } from './worker-config.ts';
