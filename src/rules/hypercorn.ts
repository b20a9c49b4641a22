/** PLACEHOLDER rule for hypercorn: recognises nothing yet. */
import type { ServerRule } from './types';

export const hypercorn: ServerRule = {
  id: 'hypercorn',
  title: 'hypercorn',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
