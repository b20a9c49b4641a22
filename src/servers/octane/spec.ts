import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'octane',
  title: 'Laravel Octane',
  category: 'web',
  programs: [],
  hosts: ['php', 'artisan'],
  mentions: ['octane:start', 'octane:swoole', 'octane:roadrunner', 'octane:frankenphp'],
};
