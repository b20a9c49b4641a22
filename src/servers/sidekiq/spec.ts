import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'sidekiq',
  title: 'Sidekiq',
  category: 'queue',
  programs: ['sidekiq', 'sidekiqswarm'],
};
