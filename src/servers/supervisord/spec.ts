import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'supervisord',
  title: 'supervisord',
  category: 'web',
  programs: ['supervisord'],
  pythonModules: ['supervisor.supervisord'],
};
