/** PLACEHOLDER rule for out-of-scope: recognises nothing yet. */
import type { ServerRule } from './types';

export const outOfScope: ServerRule = {
  id: 'out-of-scope',
  title: 'out-of-scope',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
