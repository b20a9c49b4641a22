/** The package version, read once from package.json (works from the repository and the tarball). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = require('../package.json').version;
