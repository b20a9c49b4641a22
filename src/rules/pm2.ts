/** PLACEHOLDER rule for pm2: recognises nothing yet. */
import type { ServerRule } from './types';

export const pm2: ServerRule = {
  id: 'pm2',
  title: 'pm2',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
