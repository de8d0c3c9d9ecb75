import { describe, expect, it } from 'vitest';
import { actorHref, parseRoute } from '../app/route.js';

describe('parseRoute', () => {
  it('defaults to the overview', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/nonsense')).toEqual({ view: 'overview' });
  });

  it('reads the list views', () => {
    for (const view of ['overview', 'processes', 'tree', 'tables', 'downs'] as const) {
      expect(parseRoute(`#/${view}`)).toEqual({ view });
    }
  });

  it('round-trips actor ids through encodeURIComponent', () => {
    for (const id of ['<0.12>', 'ext:session/1 2', '<node@host.3>']) {
      expect(parseRoute(actorHref(id))).toEqual({ view: 'actor', id });
    }
  });

  it('treats a malformed escape as no route', () => {
    expect(parseRoute('#/actor/%E0%A4%A')).toEqual({ view: 'overview' });
  });
});
