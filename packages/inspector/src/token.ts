/**
 * The access token: random, compared in constant time, carried in the page URL (`?token=`), a
 * cookie the page sets on first load (so its scripts, worker and feed need not repeat it), or an
 * `Authorization: Bearer` header.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'switchboard_inspector';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The token a request carries, from the query, the cookie or the header. */
export function presentedTokens(req: IncomingMessage, url: URL): string[] {
  const found: string[] = [];
  const query = url.searchParams.get('token');
  if (query) found.push(query);
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) found.push(auth.slice(7).trim());
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE)
      found.push(decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return found;
}

/** Constant-time comparison (a length mismatch is answered without comparing bytes). */
export function tokenMatches(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isAuthorized(expected: string, req: IncomingMessage, url: URL): boolean {
  return presentedTokens(req, url).some((t) => tokenMatches(expected, t));
}
