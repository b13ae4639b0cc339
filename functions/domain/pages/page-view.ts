/**
 * What the pages Lambda asks the renderer to show: one variant per public page. The Lambda decides
 * which page applies (token lookup, rate limit, method); the renderer only turns the decision into HTML.
 */
import type { Language, RequestKind } from '../requests/request-kinds';

/** Why a value from an update-data request will not be applied. */
export type RejectedReason = 'invalid-phone' | 'invalid-email' | 'invalid-date';

/** What a POST achieved, shown on the result page. */
export type ResultOutcome =
  | 'confirmed'
  | 'cancelled'
  | 'lifted'
  | 'address-confirmed'
  | 'unsubscribed'
  | 'sent-to-staff'
  | 'too-late';

export type PageView =
  | {
      readonly page: 'confirm';
      readonly kind: RequestKind;
      readonly requestId: string;
      readonly receivedAt: Date;
      readonly dueAt: Date;
      /** update-data: the changes, already masked ("+7 916 ***-**-67"). */
      readonly changes?: readonly { readonly label: string; readonly masked: string }[];
      /** update-data: the values that will not be changed, and why. */
      readonly rejected?: readonly { readonly label: string; readonly reason: RejectedReason }[];
      /** stop-dissemination: display names of the data named. */
      readonly dataItems?: readonly string[];
      /** withdraw-consent, erasure: when the data will be destroyed. */
      readonly destructionBy?: Date;
    }
  /** "This was not me" for a request accepted from an authenticated sender. */
  | {
      readonly page: 'dispute';
      readonly kind: RequestKind;
      readonly requestId: string;
      readonly receivedAt: Date;
    }
  | { readonly page: 'lift-restriction'; readonly requestId: string; readonly restrictedSince: Date }
  /** A new email address, confirmed from the new mailbox. */
  | { readonly page: 'confirm-address'; readonly requestId: string; readonly maskedAddress: string }
  /** GET of the one-click link: a page with a button (only the POST unsubscribes). */
  | { readonly page: 'unsubscribe' }
  | {
      readonly page: 'result';
      readonly outcome: ResultOutcome;
      readonly kind?: RequestKind;
      readonly requestId?: string;
      readonly dueAt?: Date;
      readonly destructionBy?: Date;
    }
  /** Unknown, expired or already used link: one neutral page, identical in all three cases. */
  | { readonly page: 'unavailable' }
  | { readonly page: 'too-many-attempts' }
  /** Any other path. */
  | { readonly page: 'not-found' };

export type PageName = PageView['page'];

export interface PageContext {
  readonly language: Language;
  /** The operator's name, already in `language`. */
  readonly operatorName: string;
  readonly supportAddress: string;
  /** IANA time zone the dates are shown in, e.g. "Asia/Bishkek". */
  readonly timeZone: string;
  /** Path and query of this page without `lang`: the target of the language links and of the form. */
  readonly selfPath: string;
}

export interface RenderedPage {
  readonly statusCode: number;
  readonly html: string;
}
