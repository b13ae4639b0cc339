/**
 * What the erasure executor writes in the register (DynamoDB; adapters/dynamodb/erasure-register.ts):
 * makul's own personal data of a subject forgotten, request by request (each step idempotent, so a run
 * that failed in the middle is simply run again), then the destruction act written and the request
 * completed in one conditional transaction. Nothing here touches the subject's record: the suppression
 * keyed by the HMAC of the address stays.
 */
import type { DestructionAct } from '../domain/fulfilment/destruction-act';
import type { AuditEvent } from '../domain/requests/registered-request';

/** The act, the request it completes and the audit event, all written or none. */
export interface ErasureExecution {
  readonly requestId: string;
  readonly act: DestructionAct;
  /** `registerMonth` of the act: the local month of execution, `yyyy-mm`. */
  readonly registerMonth: string;
  /** When DynamoDB's TTL may delete the act: 3 years after execution (order No. 179). */
  readonly keepUntil: Date;
  readonly at: Date;
  readonly audit: AuditEvent;
}

export type ExecutionResult =
  | { readonly outcome: 'executed' }
  /** No longer in progress (cancelled, completed, rejected) or already executed: nothing was written. */
  | { readonly outcome: 'request-moved' };

export interface ErasureRegister {
  /**
   * Removes the sealed address and sealed details from one register entry (a request or a notice), and
   * the sealed data of its tasks' answers. Unconditional but idempotent: a second call finds nothing to
   * remove. Returns how many items changed.
   */
  forgetPersonalData(requestId: string): Promise<number>;
  /** The hashes of the request's link tokens still stored (its `TOKEN#<purpose>` pointers). */
  tokensOf(requestId: string): Promise<string[]>;
  /** Deletes the request's tokens and their pointers; deleting what is gone already is no error. */
  deleteTokens(requestId: string): Promise<number>;
  /** Writes the act and completes the request, only if it is still in progress and not executed. */
  completeErasure(execution: ErasureExecution): Promise<ExecutionResult>;
}

/** The destruction acts kept in the register (ids, hashes and names only; the address if the profile asks). */
export interface DestructionActs {
  actOf(requestId: string): Promise<DestructionAct | null>;
}
