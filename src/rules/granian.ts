/** PLACEHOLDER rule for granian: recognises nothing yet. */
import type { ServerRule } from './types';

export const granian: ServerRule = {
  id: 'granian',
  title: 'granian',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
