/** PLACEHOLDER rule for dramatiq: recognises nothing yet. */
import type { ServerRule } from './types';

export const dramatiq: ServerRule = {
  id: 'dramatiq',
  title: 'dramatiq',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
