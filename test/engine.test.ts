import { checkContainer } from '../src/engine';

describe('checkContainer', () => {
  it.each([
    null,
    undefined,
    42,
    'uvicorn',
    [],
    {},
    { command: null },
    { command: [1, null, {}] },
    { env: 'x' },
  ])('never throws on %p', (input) => {
    expect(() => checkContainer(input)).not.toThrow();
  });

  it('reports nothing for a container without command or args', () => {
    expect(checkContainer({ name: 'app', image: 'python:3.12' })).toEqual([]);
  });
});
