export { StreamsBuilder } from './dsl/streams-builder.ts';
export { Serdes } from './serdes.ts';
export { TopologyTestDriver } from './test-driver/topology-test-driver.ts';
