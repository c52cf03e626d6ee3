import solid from 'vite-plugin-solid';
import { defineConfig } from 'vitest/config';

// Two projects, because vite-plugin-solid adds the `browser` resolve condition and the AWS
// SDK then loads its browser build. Only tests of SPA code need the plugin.
const WEB_TESTS = ['test/web-*.test.ts', 'test/**/*.test.tsx'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    environment: 'node',
    projects: [
      { extends: true, plugins: [solid()], test: { name: 'web', include: WEB_TESTS } },
      {
        extends: true,
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: WEB_TESTS },
      },
    ],
  },
});
