import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'thin',
  title: 'Thin',
  category: 'web',
  programs: ['thin'],
};
