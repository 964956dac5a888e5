/** Starts bench/dynalite-server.cjs in a child process; resolves with its endpoint. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LocalDynamo } from '../test/support/dynalite';

export function startDynaliteProcess(): Promise<LocalDynamo> {
  const child = spawn(process.execPath, [join(__dirname, 'dynalite-server.cjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite process exited with ${code} before listening`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        child.removeAllListeners('exit');
        resolve({
          endpoint: line.trim(),
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.stdin.end();
            }),
        });
      }
    });
  });
}
