import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'pm2',
  title: 'pm2',
  category: 'web',
  programs: ['pm2', 'pm2-runtime', 'pm2-docker', 'pm2-dev'],
  hosts: ['node', 'nodejs', 'bun'],
  policy: {
    // `pm2` and `pm2-dev` start the server only with a subcommand the policy does not read; `pm2-docker` is the old name of `pm2-runtime`.
    title: 'pm2-runtime',
    programs: ['pm2-runtime', 'pm2-docker'],
    longFlags: ['--instances'],
    shortFlags: ['-i'],
    // `-i3` means CPUs−3 (commander splits it), so only the separate `-i 3` form is a literal count.
    shortGlued: false,
    webConcurrency: false,
    disqualifyingOptions: [],
    disqualifyingEnv: [],
    // An ecosystem/process file decides the instances itself and pm2 ignores -i then.
    disqualifyingToken: '(^|/)(ecosystem[^/]*|[^/]*[.](json|ya?ml|config[.]c?js))$',
  },
};
