/**
 * Key design of makul's two DynamoDB tables, shared by the adapters, the CDK stack and the local stack
 * so that all three create and use the same shape.
 *
 * requests  pk = `REQ#<requestId>`      sk = `META`                the request register entry
 *           pk = `REQ#<requestId>`      sk = `AUDIT#<iso>#<n>`     append-only audit trail
 *           pk = `TOKEN#<sha256 hex>`   sk = `TOKEN`               verification token (hash only)
 * subjects  pk = `SUB#<hmac hex>`       sk = `PROFILE`             opt-outs, consent, restriction
 *           pk = `SUB#<hmac hex>`       sk = `REPLIES#<yyyy-mm-dd>` replies sent that day (rate limit)
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes expired tokens and daily reply counters. */
  ttlAttribute: 'expiresAt',
} as const;
