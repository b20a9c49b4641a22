/** PLACEHOLDER rule for gunicorn: recognises nothing yet. */
import type { ServerRule } from './types';

export const gunicorn: ServerRule = {
  id: 'gunicorn',
  title: 'gunicorn',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
