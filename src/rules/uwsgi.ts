/** PLACEHOLDER rule for uwsgi: recognises nothing yet. */
import type { ServerRule } from './types';

export const uwsgi: ServerRule = {
  id: 'uwsgi',
  title: 'uwsgi',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
