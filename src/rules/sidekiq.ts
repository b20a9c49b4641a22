/** PLACEHOLDER rule for sidekiq: recognises nothing yet. */
import type { ServerRule } from './types';

export const sidekiq: ServerRule = {
  id: 'sidekiq',
  title: 'sidekiq',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
