import { describe, expect, it } from 'vitest';
import { defaultModelCacheDir } from '../../src/models/model-cache-dir.js';

describe('defaultModelCacheDir', () => {
  it('prefers NULLCAM_MODEL_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultModelCacheDir({ NULLCAM_MODEL_DIR: '/m', XDG_CACHE_HOME: '/x' }, '/home/ada')).toBe('/m');
    expect(defaultModelCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/ada')).toBe('/x/nullcam/models');
    expect(defaultModelCacheDir({}, '/home/ada')).toBe('/home/ada/.cache/nullcam/models');
  });

  it('treats empty variables and a relative XDG_CACHE_HOME as unset', () => {
    expect(defaultModelCacheDir({ NULLCAM_MODEL_DIR: '', XDG_CACHE_HOME: '' }, '/home/ada')).toBe('/home/ada/.cache/nullcam/models');
    expect(defaultModelCacheDir({ XDG_CACHE_HOME: 'rel/cache' }, '/home/ada')).toBe('/home/ada/.cache/nullcam/models');
  });
});
