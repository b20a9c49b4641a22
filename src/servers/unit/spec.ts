import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'unit',
  title: 'NGINX Unit',
  category: 'web',
  programs: ['unitd', 'unitd-debug'],
};
