import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { FindingList, Health, User } from '../../core/api/schemas';

const HEALTH: Health = {
  status: 'ok',
  registry: { url: 'http://127.0.0.1:5000', reachable: true },
  scanner: { mode: 'builtin', trivyVersion: 'recorded' },
  recordedReports: true,
};

const USER: User = { name: 'bench', roles: ['admin', 'viewer'] };

/** A running bench server on a loopback port. */
export interface BenchServer {
  url: string;
  stop: () => Promise<void>;
}

/** Serves the built SPA and the finding lists under repository `bench`, one tag per list. */
export function startBenchServer(distDir: string, lists: FindingList[]): Promise<BenchServer> {
  const app = new Hono();
  const byTag = new Map(lists.map((list) => [list.tag, JSON.stringify(list)]));

  app.get('/config.json', (c) => c.notFound());
  app.get('/api/health', (c) => c.json(HEALTH));
  app.get('/api/me', (c) => c.json(USER));
  app.get('/api/repositories/bench/tags/:tag/vulnerabilities', (c) => {
    const body = byTag.get(c.req.param('tag'));
    return body ? c.body(body, 200, { 'Content-Type': 'application/json' }) : c.notFound();
  });
  app.use('/*', serveStatic({ root: distDir }));
  app.get('*', serveStatic({ path: join(distDir, 'index.html') }));

  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      const url = `http://127.0.0.1:${(info as AddressInfo).port}`;
      const stop = () => new Promise<void>((done) => server.close(() => done()));
      resolve({ url, stop });
    });
  });
}
