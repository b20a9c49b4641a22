import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'waitress',
  title: 'waitress',
  category: 'web',
  programs: ['waitress-serve'],
};
