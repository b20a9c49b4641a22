import type { ServerSpec } from '../types';

/** `openerp-server` is the program of OpenERP and of Odoo 8 and 9, `odoo.py` the script of Odoo 9, `odoo-bin` of Odoo 10 and later. */
export const spec: ServerSpec = {
  id: 'odoo',
  title: 'Odoo',
  category: 'web',
  programs: ['odoo', 'odoo-bin', 'openerp-server', 'odoo.py'],
  policy: {
    // `odoo shell`, `odoo scaffold`, … are not the server.
    noSubcommand: true,
    longFlags: ['--workers'],
    shortFlags: [],
    webConcurrency: false,
    disqualifyingOptions: [],
    disqualifyingEnv: [],
  },
};
