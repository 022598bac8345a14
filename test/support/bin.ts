// The `tbmon` command as people run it: bin/tbmon.js in a child process, with only PATH and NODE_OPTIONS of this
// process's environment plus what the test gives (so no developer setting leaks into what the test asserts).
import { spawn } from 'node:child_process';
import path from 'node:path';

export const TBMON_BIN = path.join(__dirname, '..', '..', 'bin', 'tbmon.js');

export interface BinRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTbmon(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TBMON_BIN, ...args], { env: { PATH: process.env.PATH, NODE_OPTIONS: process.env.NODE_OPTIONS, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
