/** Where SES stored the raw inbound message (S3 in AWS, the S3 emulator locally). */

export type RawMail =
  | { readonly tooLarge: false; readonly bytes: Uint8Array }
  | { readonly tooLarge: true; readonly sizeBytes: number };

export interface RawMailStore {
  /** Reads one stored message, without downloading more than maxBytes. */
  get(bucket: string, key: string, maxBytes: number): Promise<RawMail>;
}

/** Deletes stored mail (the erasure executor): deleting an object that is gone already is no error. */
export interface RawMailRemover {
  delete(bucket: string, key: string): Promise<void>;
}
