/** OpenAPI paths of the watchlist and watchmap routes (watch-routes.ts). */
type Obj = Record<string, unknown>;

const err = (description: string): Obj => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }
});
const ok = (description: string): Obj => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } }
});
const auth = { '401': err('Missing or wrong bearer token') };
const denied = { '403': err("Another user's (only its owner or an admin may change it)") };
const shared = {
  name: 'shared',
  in: 'query',
  required: false,
  description:
    'true: every user may read it and use it in a stage (default: private, or as it was)',
  schema: { type: 'string', enum: ['true', 'false'] }
};
const name = {
  name: 'name',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,62}$' }
};
const upload = {
  required: true,
  content: {
    'text/csv': { schema: { type: 'string' } },
    'application/x-votable+xml': { schema: { type: 'string' } },
    'application/json': { schema: { type: ['object', 'array'] } }
  }
};

export const WATCH_OPENAPI_PATHS: Obj = {
  '/watchlists': {
    get: {
      summary:
        'Watchlists you may use (yours and shared; admins: all): name, sources, version, maxRadiusArcsec, owner, shared',
      responses: { '200': ok('Lists'), ...auth }
    }
  },
  '/watchlists/{name}': {
    post: {
      summary:
        'Add a watchlist (name, ra, dec, radius in arcsec; CSV, VOTable or JSON; ?radius= default)',
      parameters: [name, shared],
      requestBody: upload,
      responses: {
        '201': ok('Added'),
        '400': err('Bad list'),
        ...auth,
        ...denied,
        '409': err('Exists: PUT replaces')
      }
    },
    put: {
      summary: 'Add or replace a watchlist (running stages switch between batches)',
      parameters: [name, shared],
      requestBody: upload,
      responses: { '200': ok('Stored'), '400': err('Bad list'), ...auth, ...denied }
    },
    delete: {
      summary: 'Remove a watchlist',
      parameters: [name],
      responses: {
        '200': ok('Removed'),
        '400': err('Bad name'),
        ...auth,
        ...denied,
        '404': err('No such list')
      }
    }
  },
  '/watchmaps': {
    get: {
      summary:
        'Watchmaps you may use (yours and shared; admins: all): name, depth, skyFraction, cells, version, owner, shared',
      responses: { '200': ok('Maps'), ...auth }
    }
  },
  '/watchmaps/{name}': {
    put: {
      summary:
        'Add or replace a watchmap: MOC JSON or FITS, or {cone: {ra, dec, radiusDeg}, depth}, {polygon: [[ra, dec], ...], depth}, {healpix: {order, cells}}',
      parameters: [name, shared],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: { type: 'object' } },
          'application/fits': { schema: { type: 'string' } }
        }
      },
      responses: { '200': ok('Stored'), '400': err('Bad map'), ...auth, ...denied }
    },
    delete: {
      summary: 'Remove a watchmap',
      parameters: [name],
      responses: {
        '200': ok('Removed'),
        '400': err('Bad name'),
        ...auth,
        ...denied,
        '404': err('No such map')
      }
    }
  }
};
