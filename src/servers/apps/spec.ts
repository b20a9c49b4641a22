import type { ServerSpec } from '../types';

/** The programs of the table in rule.ts (`APPS`); test/servers/registry.test.ts holds the two equal. */
export const spec: ServerSpec = {
  id: 'apps',
  title: 'The application',
  category: 'web',
  programs: ['mlflow', 'airflow', 'torchserve'],
  mentions: [],
};
