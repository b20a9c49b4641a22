/** PLACEHOLDER rule for odoo: recognises nothing yet. */
import type { ServerRule } from './types';

export const odoo: ServerRule = {
  id: 'odoo',
  title: 'odoo',
  category: 'web',
  recognise: () => false,
  decide: () => ({ outcome: 'single' }),
  fix: () => '',
};
