/** Listing image folders for config includes: through a Dockerfile's COPY, and in an unpacked image. */
import * as path from 'node:path';
import { readDockerfile } from '../../src/sources/dockerfile';
import { imageRootContext, repositoryContext } from '../../src/sources/files';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sources');

describe('SourceContext.listFiles', () => {
  const dir = path.join(FIXTURES, 'supervisord-include');
  const spec = readDockerfile(
    [
      'FROM debian',
      'WORKDIR /etc',
      'COPY supervisor/ /etc/supervisor/',
      'COPY start.sh /etc/supervisor/conf.d/',
      'COPY app/app.py /srv/main.py',
    ].join('\n'),
    'Dockerfile',
  );
  const ctx = repositoryContext(spec, dir, (abs) => path.relative(dir, abs));

  it("maps an image folder back to the repository through COPY, the files' image names sorted", () => {
    expect(ctx.listFiles?.('/etc/supervisor/conf.d')).toEqual([
      'nginx.conf',
      'start.sh',
      'web.conf',
      'worker.conf',
      'worker.conf.disabled',
    ]);
    expect(ctx.listFiles?.('supervisor')).toEqual(['supervisord.conf']);
    expect(ctx.listFiles?.('/srv')).toEqual(['main.py']);
  });

  it('knows nothing of folders no COPY fills, and never leaves the repository', () => {
    expect(ctx.listFiles?.('/usr/share')).toBeUndefined();
    expect(ctx.listFiles?.('/etc/supervisor/../../..')).toBeUndefined();
  });

  it('lists an unpacked image root below its folder only', () => {
    const image = imageRootContext(path.join(FIXTURES, 'image-root', 'rootfs'), '/app');
    expect(image.listFiles?.('.')).toEqual(['run.sh']);
    // `..` stops at the image's root, which holds only folders here.
    expect(image.listFiles?.('/../../..')).toEqual([]);
  });
});
