import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'puma',
  title: 'Puma',
  category: 'web',
  programs: ['puma'],
  hosts: ['rails'],
  policy: {
    longFlags: ['--workers'],
    shortFlags: ['-w'],
    // WEB_CONCURRENCY is only Puma's default: config/puma.rb in the image may override it.
    webConcurrency: false,
    disqualifyingOptions: [],
    disqualifyingEnv: [],
  },
};
