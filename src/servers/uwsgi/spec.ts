import type { ServerSpec } from '../types';

/** Debian's Python plugin packages install `uwsgi_python3` (and names with the Python version) besides `uwsgi`. */
export const spec: ServerSpec = {
  id: 'uwsgi',
  title: 'uWSGI',
  category: 'web',
  programs: ['uwsgi'],
  programPattern: '^uwsgi(_python[0-9]*)?$',
  policy: {
    longFlags: ['--processes', '--workers'],
    shortFlags: ['-p'],
    webConcurrency: false,
    // Options apply in order, so a config file named on the command line may come later and win.
    disqualifyingOptions: ['--ini', '--yaml', '--json', '--xml', '--include', '--config'],
    disqualifyingEnv: ['UWSGI_PROCESSES', 'UWSGI_WORKERS', 'UWSGI_INI'],
  },
};
