import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'passenger',
  title: 'Passenger',
  category: 'web',
  programs: ['passenger'],
};
