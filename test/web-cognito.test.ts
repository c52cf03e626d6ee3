import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeConfig } from '../core/api/schemas';
import { buildWeb, launchBrowser, removeWebBuild } from './support/browser';

const CLIENT_ID = 'berth-test-client';
const ACCESS_TOKEN = 'test-access-token';

let browser: Browser | undefined;
let server: ServerType | undefined;
let baseUrl = '';
const seen = {
  authorize: [] as URLSearchParams[],
  token: [] as URLSearchParams[],
  api: [] as string[],
};

function base64Url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Builds an unsigned id token; oidc-client-ts reads its claims and leaves signatures to the API. */
function idToken(issuer: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, aud: CLIENT_ID, sub: 'user-1', iat: now, exp: now + 3600 };
  return `${base64Url({ alg: 'none' })}.${base64Url(claims)}.`;
}

/** Serves the SPA, a Cognito-like hosted UI under /idp, and an API that records the token. */
function createApp(distDir: string): Hono {
  const app = new Hono();
  const issuer = () => `${baseUrl}/idp`;

  app.get('/config.json', (c) => {
    const config: RuntimeConfig = {
      auth: {
        type: 'cognito',
        authority: issuer(),
        clientId: CLIENT_ID,
        domain: issuer(),
        scopes: ['openid', 'email'],
      },
    };
    return c.json(config);
  });
  app.get('/idp/oauth2/authorize', (c) => {
    const query = new URL(c.req.url).searchParams;
    seen.authorize.push(query);
    const redirect = new URL(query.get('redirect_uri') ?? '');
    redirect.searchParams.set('code', 'test-code');
    redirect.searchParams.set('state', query.get('state') ?? '');
    return c.redirect(redirect.href);
  });
  app.post('/idp/oauth2/token', async (c) => {
    seen.token.push(new URLSearchParams(await c.req.text()));
    return c.json({
      access_token: ACCESS_TOKEN,
      id_token: idToken(issuer()),
      token_type: 'Bearer',
      expires_in: 3600,
    });
  });
  app.get('/api/*', (c) => {
    seen.api.push(c.req.header('X-Berth-Authorization') ?? '');
    if (c.req.path === '/api/me') return c.json({ name: 'cognito-user', roles: ['viewer'] });
    if (c.req.path === '/api/repositories') return c.json({ repositories: ['team/app'] });
    return c.json({ error: { code: 'not_found', message: 'No canned route.' } }, 404);
  });
  app.use('/*', serveStatic({ root: distDir }));
  app.get('*', serveStatic({ path: join(distDir, 'index.html') }));
  return app;
}

beforeAll(async () => {
  const distDir = await buildWeb();
  await new Promise<void>((resolve) => {
    server = serve({ fetch: createApp(distDir).fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      baseUrl = `http://127.0.0.1:${(info as AddressInfo).port}`;
      resolve();
    });
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await removeWebBuild();
});

describe('Cognito sign-in', () => {
  it('uses PKCE and sends the token header', async () => {
    if (!browser) throw new Error('Chromium did not start; see the beforeAll error above.');
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/?q=team`);

    await page.getByText('Signed in as cognito-user').waitFor();
    const authorize = seen.authorize[0];
    const token = seen.token[0];

    expect(authorize?.get('code_challenge_method')).toBe('S256');
    expect(authorize?.get('response_type')).toBe('code');
    expect(token?.get('grant_type')).toBe('authorization_code');
    expect(token?.get('code_verifier')?.length).toBeGreaterThanOrEqual(43);
    expect(seen.api).toContain(`Bearer ${ACCESS_TOKEN}`);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(new URL(page.url()).searchParams.get('q')).toBe('team');
    expect(
      await page.evaluate(() => JSON.stringify(localStorage).includes('test-access-token')),
    ).toBe(false);
    await page.close();
  });
});
