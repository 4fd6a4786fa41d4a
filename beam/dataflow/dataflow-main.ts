// Launch wiring of the Dataflow Flex Template: the template's Python launcher runs
// flex-template/launch.py, which execs `node --import tsx beam/dataflow/dataflow-main.ts <options>`; this
// file checks the template parameters and submits the pipeline with the SDK's Dataflow runner
// (which itself starts the Python job service of apache-beam[gcp]). See docs/dataflow.md.
import 'apache-beam';
import { dataflowRunner } from 'apache-beam/runners/dataflow';
import { createLogger } from '../../runtime/logger.js';
import { dataflowPipeline } from './dataflow-pipeline.js';
import { validateFlexTemplateParameters } from './flex-template-params.js';

/** `--name=value` and `--name value` pairs, as the Flex Template launcher passes them. */
export function parseLauncherArgs(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq !== -1) out[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--'))
      out[arg.slice(2)] = argv[++i]!;
    else out[arg.slice(2)] = 'true';
  }
  return out;
}

/** The runner options Dataflow needs, from the launcher's standard arguments. */
export function dataflowRunnerOptions(args: Record<string, string>): {
  project: string;
  region: string;
  tempLocation: string;
  [other: string]: unknown;
} {
  const required = (name: string) => {
    const value = args[name];
    if (!value) throw new TypeError(`--${name} is required`);
    return value;
  };
  const optional = (name: string, key: string) => (args[name] ? { [key]: args[name] } : {});
  return {
    project: required('project'),
    region: required('region'),
    tempLocation: required('temp_location'),
    ...optional('staging_location', 'stagingLocation'),
    ...optional('job_name', 'jobName'),
    ...optional('service_account_email', 'serviceAccountEmail'),
    ...optional('sdk_container_image', 'sdkContainerImage'),
    ...optional('subnetwork', 'subnetwork'),
    streaming: true,
  };
}

async function main(): Promise<void> {
  const log = createLogger({ name: 'pmp-velib-curated-launcher' });
  const args = parseLauncherArgs(process.argv.slice(2));
  const params = validateFlexTemplateParameters(args);
  const options = dataflowRunnerOptions(args);
  log.info({ params, project: options.project, region: options.region }, 'submitting');
  await dataflowRunner(options).runAsync(
    dataflowPipeline({
      inputSubscription: params.input_subscription,
      outputTable: params.output_table,
      dlqTable: params.dlq_table,
    }),
    options,
  );
  log.info('job submitted');
}

if (process.argv[1]?.endsWith('dataflow-main.ts')) {
  main().catch((error: unknown) => {
    process.stderr.write(`pmp-velib-curated launch failed: ${String(error)}\n`);
    process.exit(1);
  });
}
