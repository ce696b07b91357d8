import { methodNames, type Board } from '../../preload/contract';
import type { StudioServices } from './router';

export const testBoard: Board = {
  id: '5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69',
  name: 'Cats',
  itemCount: 0,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
};

/** Services for router/transport tests: boards:list and boards:create work, the rest throw. */
export function fakeServices(overrides: Partial<StudioServices> = {}): StudioServices {
  const unused = (): never => {
    throw new Error('not used in this test');
  };
  const all = Object.fromEntries(methodNames.map((method) => [method, unused])) as unknown as StudioServices;
  return {
    ...all,
    'boards:list': () => ({ boards: [testBoard] }),
    'boards:create': ({ name }) => ({ ...testBoard, name }),
    ...overrides,
  };
}
