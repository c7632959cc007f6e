/** The controller's OpenAPI 3.1 document (hand-written; served at `GET /openapi.json`). */
import { WATCH_OPENAPI_PATHS } from './watch-openapi.js';
import { MAX_RADIUS_ARCSEC } from '../crossmatch/matcher.js';
import { MAX_CONE_RADIUS_DEG, MAX_MAX_ROWS } from './params.js';

type Obj = Record<string, unknown>;

const json = (schema: Obj): Obj => ({ 'application/json': { schema } });
const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string): Obj => ({ description, content: json(ref('Error')) });
const ok = (description: string, schema: Obj = { type: 'object' }): Obj => ({
  description,
  content: json(schema)
});
const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' }
};
const q = (name: string, schema: Obj, required = false, description = ''): Obj => ({
  name,
  in: 'query',
  required,
  schema,
  description
});
const common = { '400': error('Bad parameters'), '401': error('Missing or wrong bearer token') };
/** Public catalog reads (no token) are rate-limited per client. */
const tooMany = { '429': error('Too many requests without a token') };
const stageOp = (summary: string, extra: Obj = {}): Obj => ({
  summary,
  parameters: [idParam],
  responses: { '200': ok(summary, ref('StageSummary')), ...common, '404': error('No such stage') },
  ...extra
});

/** Builds the document (`serverUrl` goes into `servers`). */
export function openApiDocument(serverUrl: string, withStages = true): Obj {
  const catalogPaths: Obj = {
    '/health': {
      get: { summary: 'Liveness (no token needed)', security: [], responses: { '200': ok('Up') } }
    },
    '/catalogs': {
      get: { summary: 'Catalogs served', responses: { '200': ok('Catalogs'), ...common } }
    },
    '/cone': {
      get: {
        summary: 'Cone search (JSON), nearest first',
        parameters: [
          q('catalog', { type: 'string' }, true),
          q('ra', { type: 'number', minimum: -360, maximum: 720 }, true, 'degrees, ICRS'),
          q('dec', { type: 'number', minimum: -90, maximum: 90 }, true, 'degrees, ICRS'),
          q(
            'radius',
            { type: 'number', exclusiveMinimum: 0, maximum: MAX_CONE_RADIUS_DEG },
            false,
            'degrees (or radiusArcsec)'
          ),
          q('radiusArcsec', { type: 'number', exclusiveMinimum: 0, maximum: MAX_RADIUS_ARCSEC }),
          q('maxRows', { type: 'integer', minimum: 1, maximum: MAX_MAX_ROWS })
        ],
        responses: {
          '200': ok('Rows within the radius'),
          ...common,
          '413': error('More matches than the cap: ask for a smaller cone or maxRows'),
          ...tooMany
        }
      }
    },
    '/crossmatch': {
      post: {
        summary:
          'Cross-match positions: JSON in → JSON out, Arrow IPC stream in → Arrow IPC stream out',
        parameters: [
          q('catalogs', { type: 'string' }, false, 'Arrow bodies: name:radiusArcsec[:col|col],...'),
          q('mode', { type: 'string', enum: ['all', 'nearest'] })
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: ref('CrossmatchRequest') },
            'application/vnd.apache.arrow.stream': { schema: { type: 'string', format: 'binary' } }
          }
        },
        responses: {
          '200': ok('Pairs'),
          ...common,
          '413': error('Body too large'),
          '415': error('Unsupported content type')
        }
      }
    },
    '/scs/{catalog}': {
      get: {
        summary:
          'IVOA Simple Cone Search 1.03 (VOTable 1.3; errors as a VOTable INFO name="Error")',
        parameters: [
          { name: 'catalog', in: 'path', required: true, schema: { type: 'string' } },
          q('RA', { type: 'number' }, true),
          q('DEC', { type: 'number' }, true),
          q('SR', { type: 'number' }, true, 'degrees'),
          q('MAXREC', { type: 'integer', minimum: 1, maximum: MAX_MAX_ROWS })
        ],
        responses: {
          '200': {
            description: 'VOTable',
            content: { 'text/xml': { schema: { type: 'string' } } }
          },
          '401': common['401'],
          ...tooMany
        }
      }
    }
  };
  const stagePaths: Obj = {
    '/openapi.json': {
      get: {
        summary: 'This document',
        responses: { '200': ok('OpenAPI 3.1'), '401': common['401'] }
      }
    },
    '/metrics': {
      get: {
        summary:
          'Prometheus metrics per stage (a user: their own stages; admins and the metrics role: all)',
        responses: {
          '200': {
            description: 'Text format 0.0.4',
            content: { 'text/plain': { schema: { type: 'string' } } }
          },
          '401': common['401']
        }
      }
    },
    '/audit': {
      get: {
        summary: 'Audit log of stage changes (admins: every entry; users: their own)',
        responses: { '200': ok('Entries, oldest first (at most 1000)'), '401': common['401'] }
      }
    },
    '/stages': {
      get: {
        summary: "List stages (a user's own; admins: all)",
        responses: { '200': ok('Stages'), '401': common['401'] }
      },
      post: {
        summary: 'Deploy a stage version (after the backtest gate)',
        requestBody: { required: true, content: json(ref('DeployRequest')) },
        responses: {
          '201': ok('Deployed'),
          ...common,
          '403': error(
            "Another user's stage, or a watchlist/watchmap that is neither yours nor shared"
          ),
          '409': error('Output topic conflicts with an earlier version'),
          '413': error('Body too large'),
          '422': error(
            'Refused by the backtest gate (load error, error on the sample, time budget)'
          )
        }
      }
    },
    '/stages/backtest': {
      post: {
        summary: 'Run the backtest gate on a manifest without deploying it',
        requestBody: { required: true, content: json(ref('DeployRequest')) },
        responses: {
          '200': ok('Evidence'),
          ...common,
          '403': error('A watchlist/watchmap that is neither yours nor shared'),
          '413': error('Body too large'),
          '422': error('Refused by the backtest gate')
        }
      }
    },
    '/stages/promote': {
      post: {
        summary:
          'Promote a notebook cell: build the manifest from the filter source (kind, outputs, Python entry from @alertlab.filter; %%sql cells are SQL), gate it and deploy it',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['source', 'input'],
            properties: {
              source: { type: 'string' },
              input: { type: 'string', description: 'Input buffer topic' },
              id: { type: 'string' },
              language: { type: 'string', enum: ['sql', 'python', 'typescript'] },
              kind: { type: 'string', enum: ['yesno', 'leftright', 'switch'] },
              outputs: { type: 'array', items: { type: 'string' } },
              entry: { type: 'string' },
              replicas: { type: 'integer', minimum: 1 },
              author: { type: 'string' },
              lineage: { type: 'object' }
            }
          })
        },
        responses: {
          '201': ok('Deployed'),
          ...common,
          '413': error('Body too large'),
          '422': error('Refused by the backtest gate')
        }
      }
    },
    '/stages/{id}': {
      get: {
        summary: 'Stage status, version, workers, lag, rate, errors, lineage',
        parameters: [idParam],
        responses: { '200': ok('Stage'), ...common, '404': error('No such stage') }
      },
      delete: stageOp('Stop and delete a stage (topics stay)')
    },
    '/stages/{id}/scale': {
      post: stageOp('Set the number of workers', {
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['replicas'],
            properties: { replicas: { type: 'integer', minimum: 1, maximum: 64 } }
          })
        }
      })
    },
    '/stages/{id}/objects': {
      post: stageOp(
        "One SELECT over the stage's objects table (object state, from its changelog); int64 as strings",
        {
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['sql'],
              properties: {
                sql: { type: 'string' },
                maxRows: { type: 'integer', minimum: 1, maximum: 1_000_000 }
              }
            })
          }
        }
      )
    },
    '/stages/{id}/stop': { post: stageOp('Stop the workers') },
    '/stages/{id}/start': { post: stageOp('Start the workers') },
    '/stages/{id}/rollback': {
      post: stageOp('Restore an earlier version (default: the previous one) as a new version', {
        requestBody: {
          content: json({
            type: 'object',
            properties: { version: { type: 'integer', minimum: 1 } }
          })
        }
      })
    },
    '/stages/{id}/k8s': {
      get: {
        summary: 'Kubernetes ConfigMap + Deployment (replicas = workers)',
        parameters: [
          idParam,
          q('format', { type: 'string', enum: ['json', 'yaml'] }),
          q('image', { type: 'string' }),
          q('namespace', { type: 'string' })
        ],
        responses: { '200': ok('Objects'), ...common, '404': error('No such stage') }
      }
    },
    '/buffers/topics': {
      get: {
        summary: 'Topics of the buffer set',
        responses: { '200': ok('Topics'), '401': common['401'] }
      },
      post: {
        summary: 'Create a topic in the buffer set',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['topic'],
            properties: {
              topic: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' },
              partitions: { type: 'integer', minimum: 1, maximum: 1000 },
              replicationFactor: { type: 'integer', minimum: 1, maximum: 10 }
            }
          })
        },
        responses: { '200': ok('Existed'), '201': ok('Created'), ...common }
      }
    }
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'alertlab controller',
      version: '0.1.0',
      description:
        'Stages, buffers, cone search and cross-match. Bearer token in $ALERTLAB_HOME/controller.token.'
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths: withStages ? { ...catalogPaths, ...stagePaths, ...WATCH_OPENAPI_PATHS } : catalogPaths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'string' }, details: { type: 'object' } }
        },
        CrossmatchRequest: {
          type: 'object',
          properties: {
            ra: { type: 'array', items: { type: 'number' } },
            dec: { type: 'array', items: { type: 'number' } },
            alerts: {
              type: 'array',
              items: {
                type: 'object',
                properties: { ra: { type: 'number' }, dec: { type: 'number' } }
              }
            },
            catalogs: {
              type: 'array',
              items: {
                oneOf: [
                  { type: 'string' },
                  {
                    type: 'object',
                    required: ['name'],
                    properties: {
                      name: { type: 'string' },
                      radiusArcsec: { type: 'number' },
                      columns: { type: 'array', items: { type: 'string' } }
                    }
                  }
                ]
              }
            },
            radiusArcsec: { type: 'number', exclusiveMinimum: 0, maximum: MAX_RADIUS_ARCSEC },
            mode: { type: 'string', enum: ['all', 'nearest'] }
          }
        },
        DeployRequest: {
          type: 'object',
          required: ['manifest'],
          properties: {
            manifest: {
              type: 'object',
              description:
                'A stage manifest (id, input, filter {language, kind, source, entry}, outputs, crossmatch, payload, ...)'
            },
            id: { type: 'string' },
            replicas: { type: 'integer', minimum: 1, maximum: 64 },
            author: { type: 'string' },
            lineage: {
              type: 'object',
              properties: {
                notebook: { type: 'string' },
                cell: { type: 'integer' },
                path: { type: 'string' },
                note: { type: 'string' }
              }
            },
            gate: {
              type: 'object',
              properties: {
                sampleAlerts: { type: 'integer', minimum: 0 },
                budgetMs: { type: 'integer', minimum: 1 }
              }
            }
          }
        },
        StageSummary: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            status: { type: 'string' },
            version: { type: 'integer' },
            replicas: { type: 'integer' }
          }
        }
      }
    }
  };
}
