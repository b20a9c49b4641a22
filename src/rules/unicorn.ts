/** PLACEHOLDER rule for unicorn: recognises nothing yet. */
import type { ServerRule } from './types';

export const unicorn: ServerRule = {
  id: 'unicorn',
  title: 'unicorn',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
