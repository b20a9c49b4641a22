import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'hypercorn',
  title: 'hypercorn',
  category: 'web',
  programs: ['hypercorn'],
  pythonModules: ['hypercorn'],
  policy: {
    longFlags: ['--workers'],
    shortFlags: ['-w'],
    webConcurrency: false,
    disqualifyingOptions: ['--reload'],
    disqualifyingEnv: [],
  },
};
