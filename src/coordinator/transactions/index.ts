/** Transaction coordinator: public API for the broker (see docs/transactions.md). */
export {
  DEFAULT_TRANSACTION_CONFIG,
  type InitProducerIdResult,
  type MarkerWriter,
  TransactionCoordinator,
  type TransactionCoordinatorConfig,
  type TransactionCoordinatorOptions,
  type TxnStore,
} from './coordinator.ts';
export {
  type BlockStore,
  MemoryBlockStore,
  PRODUCER_ID_BLOCK_SIZE,
  ProducerIdManager,
} from './producer-ids.ts';
export { type TopicPartition, TXN_STATES, type TxnMetadata, type TxnState } from './state.ts';
