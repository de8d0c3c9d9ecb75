/**
 * Encoding of the feed: msgpackr (plain msgpack, no records or extensions) by default, JSON text
 * with `?format=json`. Page messages are validated field by field: a page is a client like any
 * other, and a bad frame gets a typed error back without closing the feed.
 */
import { Packr } from 'msgpackr';
import type { ListView, PageMessage, ProcessSortKey, ServerMessage } from './feed-protocol.js';
import { BadFeedMessage } from './errors.js';

export type FeedFormat = 'msgpack' | 'json';

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

export function encodeMessage(message: ServerMessage, format: FeedFormat): Buffer | string {
  return format === 'json' ? JSON.stringify(message) : packr.pack(message);
}

const VIEWS: readonly ListView[] = ['overview', 'processes', 'tree', 'tables', 'downs'];
const SORTS: readonly ProcessSortKey[] = ['pid', 'mailbox', 'dropped', 'rate', 'age', 'state', 'clientId'];

/** Decodes and validates one page frame. @throws INSPECTOR_ERR_BAD_MESSAGE */
export function decodeMessage(data: Buffer | string, format: FeedFormat, maxPageSize: number): PageMessage {
  let raw: unknown;
  try {
    raw = format === 'json' || typeof data === 'string' ? JSON.parse(data.toString()) : packr.unpack(data);
  } catch (error) {
    throw new BadFeedMessage(`cannot decode (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new BadFeedMessage('not an object');
  const m = raw as Record<string, unknown>;
  switch (m['t']) {
    case 'subscribe': {
      const views = m['views'];
      if (!Array.isArray(views) || !views.every((v) => VIEWS.includes(v as ListView))) {
        throw new BadFeedMessage(`views must be a list of ${VIEWS.join(', ')}`);
      }
      return { t: 'subscribe', views: [...new Set(views as ListView[])] };
    }
    case 'processes': {
      const sort = m['sort'];
      const dir = m['dir'];
      const filter = m['filter'];
      const offset = m['offset'];
      const limit = m['limit'];
      if (!SORTS.includes(sort as ProcessSortKey))
        throw new BadFeedMessage(`sort must be one of ${SORTS.join(', ')}`);
      if (dir !== 'asc' && dir !== 'desc') throw new BadFeedMessage('dir must be asc or desc');
      if (typeof filter !== 'string' || filter.length > 200)
        throw new BadFeedMessage('filter must be a string of at most 200 characters');
      if (!isCount(offset)) throw new BadFeedMessage('offset must be a non-negative integer');
      if (!isCount(limit) || limit < 1 || limit > maxPageSize)
        throw new BadFeedMessage(`limit must be 1..${maxPageSize}`);
      return { t: 'processes', sort: sort as ProcessSortKey, dir, filter, offset, limit };
    }
    case 'open':
    case 'close': {
      const id = m['id'];
      if (typeof id !== 'string' || id.length === 0 || id.length > 300)
        throw new BadFeedMessage('id must be a non-empty string');
      return { t: m['t'], id };
    }
    case 'command': {
      const requestId = m['requestId'];
      const command = m['command'];
      const clientId = m['clientId'];
      if (!isCount(requestId)) throw new BadFeedMessage('requestId must be a non-negative integer');
      if (command !== 'kick' && command !== 'discard')
        throw new BadFeedMessage('command must be kick or discard');
      if (typeof clientId !== 'string' || clientId.length === 0)
        throw new BadFeedMessage('clientId must be a non-empty string');
      return { t: 'command', requestId, command, clientId };
    }
    default:
      throw new BadFeedMessage(`unknown message type ${JSON.stringify(m['t'])}`);
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
