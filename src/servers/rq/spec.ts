import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'rq',
  title: 'RQ worker',
  category: 'queue',
  programs: ['rq', 'rqworker'],
};
