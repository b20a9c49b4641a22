/** PLACEHOLDER rule for rq: recognises nothing yet. */
import type { ServerRule } from './types';

export const rq: ServerRule = {
  id: 'rq',
  title: 'rq',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
