/**
 * The server rules, in the order they are tried: the first rule that recognises a command decides it.
 * Adding a server: one module here and one fixture folder under test/fixtures/rules/.
 */

import { apps } from './apps';
import { celery } from './celery';
import { daphne } from './daphne';
import { dramatiq } from './dramatiq';
import { fastapi } from './fastapi';
import { granian } from './granian';
import { gunicorn } from './gunicorn';
import { hypercorn } from './hypercorn';
import { node } from './node';
import { octane } from './octane';
import { odoo } from './odoo';
import { outOfScope } from './out-of-scope';
import { passenger } from './passenger';
import { pm2 } from './pm2';
import { puma } from './puma';
import { rq } from './rq';
import { sanic } from './sanic';
import { sidekiq } from './sidekiq';
import { supervisord } from './supervisord';
import type { ServerRule } from './types';
import { unicorn } from './unicorn';
import { unit } from './unit';
import { uvicorn } from './uvicorn';
import { uwsgi } from './uwsgi';
import { waitress } from './waitress';

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
  unit,
  apps,
];

export type { Decision, ServerRule } from './types';
