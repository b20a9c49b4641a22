/** PLACEHOLDER rule for uvicorn: recognises nothing yet. */
import type { ServerRule } from './types';

export const uvicorn: ServerRule = {
  id: 'uvicorn',
  title: 'uvicorn',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
