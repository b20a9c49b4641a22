import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'dramatiq',
  title: 'Dramatiq worker',
  category: 'queue',
  programs: ['dramatiq', 'dramatiq-gevent'],
  pythonModules: ['dramatiq'],
};
