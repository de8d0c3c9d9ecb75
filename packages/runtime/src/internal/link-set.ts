/**
 * A process's links. Most processes have at most one (a supervised connection is linked to its
 * supervisor), so one link is held as the peer itself and a `Set` (≈ 150 B even when small) is
 * made only for the second: a supervisor with 20,000 children keeps one `Set`, each child none.
 */

/** No links, one peer, or a set of peers. */
export type LinkSet<T> = T | Set<T> | null;

/** Adds `peer`; returns the new value to store. */
export function addLink<T extends object>(links: LinkSet<T>, peer: T): LinkSet<T> {
  if (links === null || links === peer) return peer;
  if (links instanceof Set) return links.add(peer);
  return new Set([links, peer]);
}

/** Removes `peer`; returns the new value to store and whether it was there. */
export function removeLink<T extends object>(
  links: LinkSet<T>,
  peer: T,
): { links: LinkSet<T>; had: boolean } {
  if (links === null) return { links, had: false };
  if (links instanceof Set) {
    const had = links.delete(peer);
    return { links: links.size === 0 ? null : links, had };
  }
  return links === peer ? { links: null, had: true } : { links, had: false };
}

/** The peers, as an array (a copy: callers may change the links while they walk it). */
export function linkedPeers<T extends object>(links: LinkSet<T>): T[] {
  if (links === null) return [];
  return links instanceof Set ? [...links] : [links];
}
