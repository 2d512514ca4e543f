/** The connector's version: the plugin version and Debezium's `source.version` field in every event. */
export const CONNECTOR_VERSION = '0.1.0';
