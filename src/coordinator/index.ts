/** Classic-protocol group coordinator: public API for the broker (see docs/consumer-groups.md). */

export { ErrorCode, type ErrorCodeName } from '../protocol/errors.ts';
export { appendErrorToResponse } from './append-error.ts';
export { type Clock, realClock, type TimerHandle } from './clock.ts';
export { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from './config.ts';
export * from './consumer-protocol.ts';
export { FakeClock } from './fake-clock.ts';
export { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator.ts';
export { GROUP_STATES, type GroupState } from './group-state.ts';
export { lag } from './lag.ts';
export * from './records/index.ts';
export type * from './types.ts';
