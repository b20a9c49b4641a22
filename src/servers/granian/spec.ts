import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'granian',
  title: 'granian',
  category: 'web',
  programs: ['granian'],
  pythonModules: ['granian'],
  policy: {
    longFlags: ['--workers'],
    shortFlags: [],
    webConcurrency: false,
    disqualifyingOptions: ['--reload'],
    disqualifyingEnv: ['GRANIAN_WORKERS'],
  },
};
