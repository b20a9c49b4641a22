import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'unicorn',
  title: 'Unicorn',
  category: 'web',
  programs: ['unicorn', 'unicorn_rails'],
};
