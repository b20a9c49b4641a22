/** PLACEHOLDER rule for celery: recognises nothing yet. */
import type { ServerRule } from './types';

export const celery: ServerRule = {
  id: 'celery',
  title: 'celery',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
