import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { IamPolicyMember, IamServiceAccount } from '../cdk8s/imports/iam.cnrm.cloud.google.com.js';
import { SQL_DIR } from '../sql/view-order.js';
import { identityGrants, type Grant } from './identity-grants.js';
import { readAssertionQueries, readMartViews, type MartView } from './mart-views.js';
import {
  kubernetesName,
  REPLAYER_JOB,
  SERVICE_ACCOUNTS,
  SERVICES,
} from '../core/resource-names.js';

const SERVICE_ACCOUNT_PURPOSE: Record<string, string> = {
  [SERVICE_ACCOUNTS.collector]: `Runs ${SERVICES.collector}`,
  [SERVICE_ACCOUNTS.stationInfoCollector]: `Runs ${SERVICES.stationInfoCollector}`,
  [SERVICE_ACCOUNTS.bqWriter]: `Runs ${SERVICES.bqWriter}`,
  [SERVICE_ACCOUNTS.stationInfoWriter]: `Runs ${SERVICES.stationInfoWriter}`,
  [SERVICE_ACCOUNTS.replayer]: `Runs ${REPLAYER_JOB}`,
  [SERVICE_ACCOUNTS.dashboard]: `Runs ${SERVICES.dashboard}`,
  [SERVICE_ACCOUNTS.dataflow]: 'Runs the pmp-velib-curated Dataflow workers',
  [SERVICE_ACCOUNTS.schedulerInvoker]: 'Cloud Scheduler calls the collectors as this identity',
  [SERVICE_ACCOUNTS.bqWriterPushInvoker]: `Pub/Sub pushes to ${SERVICES.bqWriter} as this identity`,
  [SERVICE_ACCOUNTS.stationInfoWriterPushInvoker]: `Pub/Sub pushes to ${SERVICES.stationInfoWriter} as this identity`,
  [SERVICE_ACCOUNTS.dataQuality]: `Runs ${SERVICES.dataQuality}`,
  [SERVICE_ACCOUNTS.dataQualityInvoker]: `Cloud Scheduler calls ${SERVICES.dataQuality} as this identity`,
};

export interface IdentityChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /**
   * Mart views, whose source tables the dashboard may read.
   * @default every sql/*.sql file
   */
  readonly views?: readonly MartView[];
  /**
   * Queries of the data-quality assertions, whose tables pmp-data-quality may read.
   * @default every sql/assertions/*.sql file
   */
  readonly assertionQueries?: readonly string[];
}

/**
 * One service account per component and the narrowest grants that let each do its job: a topic to
 * publish to, a subscription to read, a table to write, a service to invoke. Dataset-level reads
 * are in the warehouse chart (`spec.access`), since a dataset cannot be an IAM member target.
 */
export class IdentityChart extends Chart {
  constructor(scope: Construct, id: string, props: IdentityChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    this.addServiceAccounts();
    const grants = identityGrants({
      config: props.config,
      views: props.views ?? readMartViews(SQL_DIR),
      assertionQueries: props.assertionQueries ?? readAssertionQueries(SQL_DIR),
    });
    for (const grant of grants) this.addPolicyMember(grant);
  }

  private addServiceAccounts(): void {
    for (const account of Object.values(SERVICE_ACCOUNTS)) {
      new IamServiceAccount(this, account, {
        metadata: { name: account },
        spec: { resourceId: account, displayName: SERVICE_ACCOUNT_PURPOSE[account] },
      });
    }
  }

  private addPolicyMember(grant: Grant): void {
    const name = policyMemberName(grant);
    new IamPolicyMember(this, name, {
      metadata: { name },
      spec: {
        role: grant.role,
        resourceRef: grant.on,
        ...('serviceAccount' in grant.to
          ? { memberFrom: { serviceAccountRef: { name: grant.to.serviceAccount } } }
          : { member: `serviceAccount:${grant.to.agent}` }),
      },
    });
  }
}

/** `<who>--<role>--<target>`, e.g. `pmp-bq-writer--bigquery-dataeditor--push-writer-dlq`. */
function policyMemberName(grant: Grant): string {
  const who = 'serviceAccount' in grant.to ? grant.to.serviceAccount : grant.to.as;
  const role = grant.role
    .replace(/^roles\//, '')
    .replaceAll('.', '-')
    .toLowerCase();
  const target = (grant.on.name ?? grant.on.external?.split('/').pop() ?? '').toLowerCase();
  return `${who}--${role}--${kubernetesName(target)}`;
}
