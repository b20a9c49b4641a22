/** PLACEHOLDER rule for daphne: recognises nothing yet. */
import type { ServerRule } from './types';

export const daphne: ServerRule = {
  id: 'daphne',
  title: 'daphne',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
