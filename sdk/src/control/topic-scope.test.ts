import { describe, expect, it } from 'vitest';
import { resumeGroupId } from '../profiles/connect.js';
import { seesGroup } from './topic-scope.js';
import type { Principal } from './users.js';

const who = (name: string, role: Principal['role'] = 'user'): Principal =>
  ({ name, role }) as Principal;

describe('reader group visibility', () => {
  const g = (user: string): string =>
    resumeGroupId({ user, stream: 'local/alerts', reader: '/nb/scope.ipynb' });

  it('a user sees their own reader groups and no one else’s, dots in names included', () => {
    expect(seesGroup(g('ann'), who('ann'))).toBe(true);
    expect(seesGroup(g('ann.lee'), who('ann.lee'))).toBe(true);
    // "ann" is a prefix of "ann.lee" as text: it must not see ann.lee's groups, nor she ann's
    expect(seesGroup(g('ann.lee'), who('ann'))).toBe(false);
    expect(seesGroup(g('ann'), who('ann.lee'))).toBe(false);
    expect(seesGroup(g('ann.lee.x'), who('ann.lee'))).toBe(false);
    expect(seesGroup(g('bob'), who('ann'))).toBe(false);
  });

  it('admins see every group; distinct names give distinct user segments', () => {
    expect(seesGroup(g('ann.lee'), who('root', 'admin'))).toBe(true);
    expect(seesGroup(g('ann.lee'), undefined)).toBe(true);
    expect(g('ann.lee').split('.')[1]).toBe('ann~lee');
    expect(g('ann_lee').split('.')[1]).toBe('ann_lee');
  });
});
