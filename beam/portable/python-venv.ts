import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BEAM_VERSION } from './java-services.js';
import { runTool } from './run-tool.js';
import { cachedBuild } from './toolchain-cache.js';

/**
 * The Python of a venv holding `apache-beam==2.49.0` (PyPI), created on first use and reused: the
 * TypeScript SDK's universal and Dataflow runners start Beam's Python job service with it
 * (`BEAM_SERVICE_OVERRIDES` `python:*`). `PMP_PYTHON` picks the interpreter that creates it.
 */
export async function beamPython(): Promise<string> {
  const venv = await cachedBuild(`python-apache-beam-${BEAM_VERSION}`, async (dir) => {
    process.stderr.write(
      `pmp: creating a Python venv with apache-beam==${BEAM_VERSION} (first use only, ~1–2 min)…\n`,
    );
    const python = process.env.PMP_PYTHON ?? 'python3';
    await runTool(python, ['-m', 'venv', dir], 'creating the Beam Python venv');
    await runTool(
      join(dir, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', `apache-beam==${BEAM_VERSION}`],
      `installing apache-beam==${BEAM_VERSION} from PyPI`,
    );
  });
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: delete ${venv} and retry`);
  return python;
}
