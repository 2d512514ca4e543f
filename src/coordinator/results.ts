/** Builders for the error-only results of JoinGroup and SyncGroup. */
import { EMPTY_ASSIGNMENT } from './member.ts';
import type { JoinGroupResult, SyncGroupResult } from './types.ts';

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT };
}
