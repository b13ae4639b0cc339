/** The secret key that turns an address into a subject key (Secrets Manager in AWS). */

export interface HmacKeySource {
  load(): Promise<string>;
}
