import { Option, type Command } from 'commander';
import { ENV_NAMES, loadEnvConfig, type EnvName } from '../../cdk8s/config/index.js';

/** `pmp dashboard link`: the Looker Studio report over an environment's marts. */
export function registerDashboard(program: Command): void {
  const dashboard = program
    .command('dashboard')
    .description('the dashboard and its Looker Studio alternative');
  dashboard
    .command('link')
    .description("print a Looker Studio Linking API URL wired to an environment's pmp_marts views")
    .addOption(
      new Option('--env <env>', 'environment whose project holds the marts')
        .choices([...ENV_NAMES])
        .default('prod'),
    )
    .option('--report-id <id>', 'Looker Studio template report to copy (default: a blank report)')
    .option('--report-name <name>', 'name of the new report', 'Paris Mobility Pulse')
    .action(async (flags: { env: EnvName; reportId?: string; reportName: string }) => {
      const { lookerStudioLink } = await import('../../services/dashboard/looker-link.js');
      const config = loadEnvConfig(flags.env);
      console.log(
        lookerStudioLink({
          projectId: config.projectId,
          reportId: flags.reportId,
          reportName: flags.reportName,
        }),
      );
    });
}
