/** PLACEHOLDER rule for octane: recognises nothing yet. */
import type { ServerRule } from './types';

export const octane: ServerRule = {
  id: 'octane',
  title: 'octane',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
