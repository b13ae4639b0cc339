/**
 * Puts the HMAC key (the secret behind every subject key) into the handler's context. Fetched on the
 * first invocation and kept for the life of the container, as @middy/secrets-manager does; a failure
 * fails the invocation, which the event source retries.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { HmacKeySource } from '../../ports/hmac-key-source';

export interface HmacKeyContext extends Context {
  hmacKey: string;
}

export function hmacKey<TEvent, TResult>(source: HmacKeySource): middy.MiddlewareObj<TEvent, TResult> {
  let key: string | undefined;
  return {
    before: async (request) => {
      key ??= await source.load();
      (request.context as HmacKeyContext).hmacKey = key;
    },
  };
}

/** The key the middleware put in the context; an error if the middleware is missing from the chain. */
export function hmacKeyOf(context: Context): string {
  const key = (context as Partial<HmacKeyContext>).hmacKey;
  if (!key) throw new Error('no HMAC key in the context: use the hmacKey middleware');
  return key;
}
