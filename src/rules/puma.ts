/** PLACEHOLDER rule for puma: recognises nothing yet. */
import type { ServerRule } from './types';

export const puma: ServerRule = {
  id: 'puma',
  title: 'puma',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
