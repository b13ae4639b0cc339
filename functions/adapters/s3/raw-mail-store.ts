/**
 * Reads the raw MIME that the SES receipt rule stored in S3, refusing to download more than the size
 * cap: oversized mail is recorded and forwarded by location, never loaded into memory.
 */
import type { RawMail, RawMailRemover, RawMailStore } from '../../ports/raw-mail-store';
import type { SignedFetch } from '../aws-signed-fetch';

export class RawMailNotFoundError extends Error {
  override readonly name = 'RawMailNotFoundError';
}

export class S3RawMailStore implements RawMailStore, RawMailRemover {
  constructor(
    private readonly client: SignedFetch,
    private readonly region: string,
    /** Custom endpoint (S3 emulator); path-style addressing is used with it. */
    private readonly endpoint: string | undefined,
  ) {}

  async get(bucket: string, key: string, maxBytes: number): Promise<RawMail> {
    const response = await this.client.fetch(this.objectUrl(bucket, key), { method: 'GET' });
    if (response.status === 404) {
      await response.body?.cancel();
      throw new RawMailNotFoundError('raw mail object not found (expired by lifecycle, or a wrong key)');
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`S3 GetObject failed with HTTP ${response.status}`);
    }
    const declaredSize = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declaredSize) && declaredSize > maxBytes) {
      await response.body?.cancel();
      return { tooLarge: true, sizeBytes: declaredSize };
    }
    // Read under the same deadline as the request (AWS_CALL_TIMEOUTS.s3): a stalled body fails too.
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > maxBytes) return { tooLarge: true, sizeBytes: bytes.byteLength };
    return { tooLarge: false, bytes };
  }

  /**
   * DeleteObject: S3 answers 204 whether or not the object was there, so a repeated erasure deletes
   * nothing twice and fails on nothing. Any other answer is a failure the executor counts and retries.
   */
  async delete(bucket: string, key: string): Promise<void> {
    const response = await this.client.fetch(this.objectUrl(bucket, key), { method: 'DELETE' });
    await response.body?.cancel();
    if (!response.ok && response.status !== 404)
      throw new Error(`S3 DeleteObject failed with HTTP ${response.status}`);
  }

  private objectUrl(bucket: string, key: string): string {
    const path = key.split('/').map(encodeURIComponent).join('/');
    if (this.endpoint) return `${this.endpoint.replace(/\/$/, '')}/${bucket}/${path}`;
    return `https://${bucket}.s3.${this.region}.amazonaws.com/${path}`;
  }
}
