import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'daphne',
  title: 'daphne',
  category: 'web',
  programs: ['daphne'],
  pythonModules: ['daphne'],
};
