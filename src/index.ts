/** Samsa's public API: the broker, its configuration and the in-process test broker. */
export { type BrokerConfig, DEFAULT_CONFIG, loadConfig } from './broker/config.ts';
export { Broker } from './broker/server.ts';
export { type StartBrokerOptions, startBroker, type TestBroker } from './testing/index.ts';
