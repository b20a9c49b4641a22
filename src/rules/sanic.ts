/** PLACEHOLDER rule for sanic: recognises nothing yet. */
import type { ServerRule } from './types';

export const sanic: ServerRule = {
  id: 'sanic',
  title: 'sanic',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
