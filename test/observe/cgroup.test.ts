import { containerFromCgroup } from '../../src/observe/cgroup';

const ID = `${'a'.repeat(40)}0123456789abcdef01234567`;
const UID = '0f6c2a7e-1b2c-4d5e-8f90-123456789abc';
const UID_ = UID.replaceAll('-', '_');

describe('containerFromCgroup', () => {
  it.each([
    [
      'containerd, cgroup v2, systemd driver',
      `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope\n`,
      { runtime: 'containerd', podUid: UID, containerId: ID },
    ],
    [
      'containerd, cgroup v1, cgroupfs driver',
      `12:memory:/kubepods/burstable/pod${UID}/${ID}\n11:cpu,cpuacct:/kubepods/burstable/pod${UID}/${ID}\n`,
      { runtime: 'kubepods', podUid: UID, containerId: ID },
    ],
    [
      'CRI-O, cgroup v2',
      `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope\n`,
      { runtime: 'cri-o', podUid: UID, containerId: ID },
    ],
    [
      'CRI-O, cgroup v1 guaranteed pod',
      `4:pids:/kubepods.slice/kubepods-pod${UID_}.slice/crio-${ID}.scope\n`,
      { runtime: 'cri-o', podUid: UID, containerId: ID },
    ],
    [
      'Docker under Kubernetes (cri-dockerd), systemd driver',
      `0::/kubepods.slice/kubepods-pod${UID_}.slice/docker-${ID}.scope\n`,
      { runtime: 'docker', podUid: UID, containerId: ID },
    ],
    ['plain Docker, cgroup v1', `9:devices:/docker/${ID}\n`, { runtime: 'docker', containerId: ID }],
  ])('%s', (_name, cgroup, expected) => {
    expect(containerFromCgroup(cgroup)).toEqual(expected);
  });

  it.each([
    ['the host', '0::/init.scope\n'],
    ['a user session', '0::/user.slice/user-0.slice/session-3.scope\n'],
    ['a pod-level cgroup without a container', `0::/kubepods.slice/kubepods-pod${UID_}.slice\n`],
    ['an empty file', ''],
  ])('is null for %s', (_name, cgroup) => {
    expect(containerFromCgroup(cgroup)).toBeNull();
  });
});
