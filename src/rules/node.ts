/** PLACEHOLDER rule for node: recognises nothing yet. */
import type { ServerRule } from './types';

export const node: ServerRule = {
  id: 'node',
  title: 'node',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
