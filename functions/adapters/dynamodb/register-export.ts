/**
 * The register export's reads (ports/register-export.ts): the `register-by-month` index, one Query per
 * month in the range and page, bounded on the sort key (the time received or executed), never a Scan.
 *
 * Entries are filed under their month in the jurisdiction's zone, which may differ from the UTC month
 * near its ends (Bishkek is UTC+6), and an entry made without its local month is filed under the UTC
 * one: every month touched by the range widened by 14 hours (the widest offset of any zone) is read,
 * and the sort-key bound keeps exactly the range. A month or two more costs one empty Query each.
 */
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DestructionAct } from '../../domain/fulfilment/destruction-act';
import type { RegisteredRequest } from '../../domain/requests/registered-request';
import type { ExportPage, RegisterExport } from '../../ports/register-export';
import { FULFILMENT_KEYS, REQUEST_INDEXES } from '../../shared/table-design';
import { type Item, REGISTER_AT, REGISTER_MONTH, readStr, toRequest } from './request-items';

const WIDEST_ZONE_OFFSET_MS = 14 * 60 * 60 * 1000;

export interface RegisterExportOptions {
  /** Items per Query page (tests use a small one to cross pages). @default DynamoDB's 1 MB pages */
  readonly pageSize?: number;
}

/** `2026-01`, `2026-02`, …: the UTC months an instant range (widened by the widest zone offset) touches. */
export function monthsTouched(from: Date, to: Date): string[] {
  const start = new Date(from.getTime() - WIDEST_ZONE_OFFSET_MS);
  const end = new Date(to.getTime() + WIDEST_ZONE_OFFSET_MS);
  const months: string[] = [];
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth();
  while (year < end.getUTCFullYear() || (year === end.getUTCFullYear() && month <= end.getUTCMonth())) {
    months.push(`${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}`);
    month += 1;
    if (month === 12) {
      month = 0;
      year += 1;
    }
  }
  return months;
}

export class DynamoDbRegisterExport implements RegisterExport {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly requestsTableName: string,
    private readonly options: RegisterExportOptions = {},
  ) {}

  async *requestsReceived(from: Date, to: Date): AsyncIterable<ExportPage<RegisteredRequest>> {
    for await (const page of this.pages(FULFILMENT_KEYS.requestMonthPrefix, from, to)) {
      // Only request entries are filed under REQ# months; the check keeps a stray item out all the same.
      const items = page.items.filter((item) => item.sk?.S === 'META' && item.noticeOf?.S === undefined);
      yield { month: page.month, items: items.map(toRequest) };
    }
  }

  async *actsExecuted(from: Date, to: Date): AsyncIterable<ExportPage<DestructionAct>> {
    for await (const page of this.pages(FULFILMENT_KEYS.actMonthPrefix, from, to)) {
      // The act is stored whole, as JSON, beside the attributes the index reads (adapters/dynamodb/erasure-register.ts).
      const acts = page.items.flatMap((item) => {
        const act = item.sk?.S === FULFILMENT_KEYS.actSortKey ? readStr(item, 'act') : null;
        return act ? [JSON.parse(act) as DestructionAct] : [];
      });
      yield { month: page.month, items: acts };
    }
  }

  private async *pages(prefix: string, from: Date, to: Date): AsyncIterable<ExportPage<Item>> {
    if (from.getTime() >= to.getTime()) return;
    const first = from.toISOString();
    const last = to.toISOString();
    for (const month of monthsTouched(from, to)) {
      let startKey: Item | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.requestsTableName,
            IndexName: REQUEST_INDEXES.byMonth.indexName,
            // BETWEEN includes `to`: an entry at exactly that instant belongs to the next range, dropped below.
            KeyConditionExpression: '#month = :month AND #at BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#month': REGISTER_MONTH, '#at': REGISTER_AT },
            ExpressionAttributeValues: {
              ':month': { S: `${prefix}${month}` },
              ':from': { S: first },
              ':to': { S: last },
            },
            ...(this.options.pageSize ? { Limit: this.options.pageSize } : {}),
            ExclusiveStartKey: startKey,
          }),
        );
        const items = (page.Items ?? []).filter((item) => item[REGISTER_AT]?.S !== last);
        if (items.length > 0) yield { month, items };
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }
}
