import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'sanic',
  title: 'sanic',
  category: 'web',
  programs: ['sanic'],
  pythonModules: ['sanic'],
  policy: {
    title: 'Sanic',
    longFlags: ['--workers'],
    shortFlags: ['-w'],
    webConcurrency: false,
    disqualifyingOptions: ['--single-process', '--dev', '--debug', '--reload', '--auto-reload', '-r', '-d'],
    disqualifyingEnv: [],
  },
};
