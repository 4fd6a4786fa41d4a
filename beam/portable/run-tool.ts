import { spawn } from 'node:child_process';
import { ToolchainError } from './toolchain-cache.js';

/**
 * Runs a provisioning tool (mvn, pip) with its output kept for the error message: these take a
 * minute on first use, and when a registry is unreachable the last lines say why.
 */
export function runTool(
  command: string,
  args: readonly string[],
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (output.length > 200) output.splice(0, output.length - 200);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) =>
      reject(
        new ToolchainError(`${what}: cannot run ${command} (${error.message})`, { cause: error }),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const tail = output.join('').trim().split('\n').slice(-15).join('\n');
      reject(
        new ToolchainError(
          `${what} failed (${command} exited ${code}). Is the registry reachable? ` +
            `Its last lines:\n${tail}`,
        ),
      );
    });
  });
}
