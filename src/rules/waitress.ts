/** PLACEHOLDER rule for waitress: recognises nothing yet. */
import type { ServerRule } from './types';

export const waitress: ServerRule = {
  id: 'waitress',
  title: 'waitress',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
