import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { BillingBudgetsBudget } from '../cdk8s/imports/billingbudgets.cnrm.cloud.google.com.js';
import { TOPICS } from '../core/resource-names.js';

export interface BudgetChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /**
   * Monthly budget in US dollars.
   * @default 40
   */
  readonly monthlyUsd?: number;
}

/** A monthly budget on the project, alerting at 50/90/100 % of actual spend and 100 % forecast. */
export class BudgetChart extends Chart {
  constructor(scope: Construct, id: string, props: BudgetChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    const { config } = props;
    new BillingBudgetsBudget(this, 'Budget', {
      metadata: { name: 'pmp-monthly-budget' },
      spec: {
        displayName: `Paris Mobility Pulse (${config.name}) monthly budget`,
        billingAccountRef: { external: `billingAccounts/${config.billingAccount}` },
        amount: { specifiedAmount: { currencyCode: 'USD', units: props.monthlyUsd ?? 40 } },
        budgetFilter: {
          projects: [{ external: `projects/${config.projectId}` }],
          calendarPeriod: 'MONTH',
          creditTypesTreatment: 'INCLUDE_ALL_CREDITS',
        },
        thresholdRules: [
          { thresholdPercent: 0.5, spendBasis: 'CURRENT_SPEND' },
          { thresholdPercent: 0.9, spendBasis: 'CURRENT_SPEND' },
          { thresholdPercent: 1.0, spendBasis: 'CURRENT_SPEND' },
          { thresholdPercent: 1.0, spendBasis: 'FORECASTED_SPEND' },
        ],
        allUpdatesRule: { pubsubTopicRef: { name: TOPICS.budgetAlerts }, schemaVersion: '1.0' },
      },
    });
  }
}
