import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { serveConsole } from './serve-console';

@Controller()
class ServiceRoutes {
  @Get('health')
  health() {
    return { from: 'service' };
  }
}

@Module({ controllers: [ServiceRoutes] })
class ServiceModule {}

/**
 * The built console beside the service's own routes: its files with their caching, its pages
 * answered with index.html, and the service's paths never served from the disk, even where a
 * file of that name exists.
 */
describe('serveConsole', () => {
  let directory: string;
  let app: INestApplication;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'console-dist-'));
    mkdirSync(join(directory, 'assets'));
    writeFileSync(join(directory, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(directory, 'assets', 'app-1a2b.js'), 'console.log(1);');
    writeFileSync(join(directory, 'favicon.svg'), '<svg/>');
    // Files named like the service's paths: they must never answer in its place.
    writeFileSync(join(directory, 'health'), 'a file on the disk');
    mkdirSync(join(directory, 'api'));
    writeFileSync(join(directory, 'api', 'cases'), 'a file on the disk');
    const nest = await NestFactory.create<NestExpressApplication>(ServiceModule, { logger: false });
    expect(serveConsole(nest, directory)).toBe(true);
    app = await nest.init();
  });

  afterAll(async () => {
    await app?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('serves hashed bundles cached for good and other files revalidated', async () => {
    const bundle = await request(app.getHttpServer()).get('/assets/app-1a2b.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await request(app.getHttpServer()).get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it("answers a console page that is no file with index.html, for the console's router", async () => {
    const page = await request(app.getHttpServer()).get('/cases/3f1c');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>console</title>');
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it("leaves the service's own paths to the service, whatever files the folder holds", async () => {
    const health = await request(app.getHttpServer()).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ from: 'service' });
    const api = await request(app.getHttpServer()).get('/api/cases');
    expect(api.status).toBe(404);
    expect(api.text).not.toContain('a file on the disk');
    expect(api.text).not.toContain('<title>console</title>');
  });
});
