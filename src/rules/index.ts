/**
 * The server rules, in the order they are tried: the first rule that recognises a command decides it.
 * Adding a server: one module here and one fixture folder under test/fixtures/servers/.
 */

import { apps } from '../servers/apps/rule';
import { celery } from '../servers/celery/rule';
import { daphne } from '../servers/daphne/rule';
import { dramatiq } from '../servers/dramatiq/rule';
import { fastapi } from '../servers/fastapi/rule';
import { granian } from '../servers/granian/rule';
import { gunicorn } from '../servers/gunicorn/rule';
import { hypercorn } from '../servers/hypercorn/rule';
import { node } from '../servers/node/rule';
import { octane } from '../servers/octane/rule';
import { odoo } from '../servers/odoo/rule';
import { outOfScope } from '../servers/out-of-scope/rule';
import { passenger } from '../servers/passenger/rule';
import { pm2 } from '../servers/pm2/rule';
import { puma } from '../servers/puma/rule';
import { rq } from '../servers/rq/rule';
import { sanic } from '../servers/sanic/rule';
import { sidekiq } from '../servers/sidekiq/rule';
import { supervisord } from '../servers/supervisord/rule';
import { unicorn } from '../servers/unicorn/rule';
import { uvicorn } from '../servers/uvicorn/rule';
import { uwsgi } from '../servers/uwsgi/rule';
import { waitress } from '../servers/waitress/rule';
import type { ServerRule } from './types';

export const RULES: readonly ServerRule[] = [
  outOfScope,
  uvicorn,
  gunicorn,
  hypercorn,
  granian,
  fastapi,
  uwsgi,
  sanic,
  daphne,
  waitress,
  odoo,
  puma,
  unicorn,
  passenger,
  pm2,
  node,
  octane,
  celery,
  dramatiq,
  rq,
  sidekiq,
  supervisord,
  apps,
];

export type { Decision, ServerRule } from './types';
