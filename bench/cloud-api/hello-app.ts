/**
 * Baseline for the cloud-api benchmark: the smallest Nest + Express app ("hello"), so the cloud
 * API's numbers are read against what the framework alone costs on this machine.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class HelloController {
  @Get('hello')
  hello(): { hello: string } {
    return { hello: 'world' };
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(HelloModule, { logger: false });
  await app.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
  process.stdout.write(`ready on ${await app.getUrl()}\n`);
  // A clean exit on SIGTERM, so `node --cpu-prof` writes its profile (bench:cloud-api:profile).
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
