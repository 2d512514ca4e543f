/** Classic-protocol group coordinator: public API for the broker (see docs/consumer-groups.md). */
export { type Clock, realClock, type TimerHandle } from './clock.ts';
export { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from './config.ts';
export * from './consumer-protocol.ts';
export { appendErrorToResponse, ErrorCode, type ErrorCodeName } from './error-codes.ts';
export { FakeClock } from './fake-clock.ts';
export { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator.ts';
export { GROUP_STATES, type GroupState } from './group-state.ts';
export { lag } from './lag.ts';
export * from './records/index.ts';
export type * from './types.ts';
