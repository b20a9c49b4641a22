import type { ServerSpec } from '../types';

export const spec: ServerSpec = {
  id: 'node',
  title: 'Node.js app',
  category: 'web',
  programs: ['node', 'nodejs', 'next', 'nuxt', 'nuxi'],
  hosts: ['npm', 'yarn', 'pnpm'],
};
