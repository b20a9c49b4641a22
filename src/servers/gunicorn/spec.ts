import type { ServerSpec } from '../types';

/** `gunicorn3` is the program's name in Debian's and Ubuntu's older `gunicorn3` package. */
export const spec: ServerSpec = {
  id: 'gunicorn',
  title: 'gunicorn',
  category: 'web',
  programs: ['gunicorn', 'gunicorn3'],
  pythonModules: ['gunicorn'],
  policy: {
    longFlags: ['--workers'],
    shortFlags: ['-w'],
    // WEB_CONCURRENCY is only gunicorn's default: ./gunicorn.conf.py in the image may override it.
    webConcurrency: false,
    disqualifyingOptions: [],
    disqualifyingEnv: [],
  },
};
