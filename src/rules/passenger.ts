/** PLACEHOLDER rule for passenger: recognises nothing yet. */
import type { ServerRule } from './types';

export const passenger: ServerRule = {
  id: 'passenger',
  title: 'passenger',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
