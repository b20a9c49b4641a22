import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'celery',
  title: 'Celery worker',
  category: 'queue',
  programs: ['celery'],
  pythonModules: ['celery'],
  hosts: ['airflow'],
};
