/** The connector API (`samsa/connect`): everything a connector author needs, and nothing of the runtime. */
export * from './config-def.ts';
export * from './connector.ts';
export * from './converter.ts';
export * from './records.ts';
export * from './schema.ts';
