/**
 * The real worker application in a child process (test/support/worker-child.ts), for tests that kill a worker
 * (SIGKILL, no shutdown) and start another one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { track } from './open-resources';

const root = path.resolve(__dirname, '../..');

export class WorkerProcesses {
  private readonly children: ChildProcess[] = [];

  constructor() {
    // Detached process groups outlive the test process: make sure they go with the file.
    void track('worker processes', Promise.resolve(this));
  }

  /** Starts a worker process with `env` on top of this one's; resolves once `marker` appears on its stdout. */
  start(env: Record<string, string>, marker: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['-r', './bench/register.mts', 'test/support/worker-child.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
      // Own process group: killing it takes Chromium down with the worker, as a crashed machine would.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes(marker)) resolve(child);
      });
      child.once('exit', (code) =>
        reject(new Error(`worker exited (${code}) before "${marker}": ${stderr.slice(-2000)}`)),
      );
    });
  }

  /** SIGKILL to the worker's whole process group; resolves when it has exited. */
  kill(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(-child.pid!, 'SIGKILL');
    });
  }

  /** Kills every worker process this started. */
  async close(): Promise<void> {
    await Promise.allSettled(this.children.map((child) => this.kill(child)));
  }
}
