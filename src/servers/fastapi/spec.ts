import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'fastapi',
  title: 'fastapi-cli',
  category: 'web',
  programs: ['fastapi'],
  pythonModules: ['fastapi'],
  policy: {
    title: 'fastapi run',
    subcommand: 'run',
    longFlags: ['--workers'],
    shortFlags: [],
    // `fastapi run` passes workers=None to uvicorn, which then reads WEB_CONCURRENCY.
    webConcurrency: true,
    disqualifyingOptions: ['--reload'],
    disqualifyingEnv: [],
  },
};
