import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'uvicorn',
  title: 'uvicorn',
  category: 'web',
  programs: ['uvicorn'],
  pythonModules: ['uvicorn'],
  policy: {
    longFlags: ['--workers'],
    shortFlags: [],
    // uvicorn reads WEB_CONCURRENCY when --workers is absent and has no config file.
    webConcurrency: true,
    // --reload runs one process whatever --workers says; --env-file may set the variables below.
    disqualifyingOptions: ['--reload', '--env-file'],
    disqualifyingEnv: ['UVICORN_WORKERS', 'UVICORN_RELOAD'],
  },
};
