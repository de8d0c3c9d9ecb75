/**
 * Hash routes (`#/overview`, `#/processes`, `#/tree`, `#/tables`, `#/downs`, `#/actor/<id>`): the
 * page works from any mount path and reloads onto the same view without server help.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { readonly view: 'overview' | 'processes' | 'tree' | 'tables' | 'downs' }
  | { readonly view: 'actor'; readonly id: string };

const LIST_VIEWS = ['overview', 'processes', 'tree', 'tables', 'downs'] as const;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path.startsWith('actor/')) {
    const encoded = path.slice('actor/'.length);
    try {
      const id = decodeURIComponent(encoded);
      if (id !== '') return { view: 'actor', id };
    } catch {
      // A malformed escape: fall through to the default view.
    }
  }
  const listView = LIST_VIEWS.find((view) => view === path);
  return { view: listView ?? 'overview' };
}

export function actorHref(id: string): string {
  return `#/actor/${encodeURIComponent(id)}`;
}

export function navigateToActor(id: string): void {
  location.hash = actorHref(id);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHashChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHashChange);
    return () => removeEventListener('hashchange', onHashChange);
  }, []);
  return route;
}
