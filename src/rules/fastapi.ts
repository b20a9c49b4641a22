/** PLACEHOLDER rule for fastapi: recognises nothing yet. */
import type { ServerRule } from './types';

export const fastapi: ServerRule = {
  id: 'fastapi',
  title: 'fastapi',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
