import { parsePolicyConfig } from './parse-policy-config';
import { DEFAULT_WARNING_SHARE, type PolicyConfig } from './policy-config';

/**
 * SPEC §3's default table. Petition limits follow the 2022 《信访工作条例》 (Arts. 22–23, 34–36),
 * mediation the 人民调解法 (Art. 33) and the 2002 人民调解工作若干规定; hotline limits follow
 * common provincial 12345 rules. Passed through the same validation as an operator's file, so
 * the defaults can never be a configuration the parser would refuse.
 */
export const DEFAULT_POLICY_CONFIG: PolicyConfig = parsePolicyConfig({
  warningShare: DEFAULT_WARNING_SHARE,
  calendarDayDeadlineMovesToNextWorkingDay: false,
  petition: {
    normal: {
      acceptance: { countedFrom: 'registration', limit: { amount: 15, unit: 'calendar-days' } },
      reply: {
        countedFrom: 'acceptance',
        limit: { amount: 60, unit: 'calendar-days' },
        extension: { maxAmount: 30, maxCount: 1, unit: 'calendar-days' },
      },
      reexamination: { countedFrom: 'reexamination request', limit: { amount: 30, unit: 'calendar-days' } },
      'reexamination-request': { countedFrom: 'reply', limit: { amount: 30, unit: 'calendar-days' } },
      return: { countedFrom: 'dispatch', limit: { amount: 5, unit: 'working-days' } },
    },
  },
  hotline: {
    normal: {
      sign: { countedFrom: 'dispatch', limit: { amount: 2, unit: 'working-hours' } },
      return: { countedFrom: 'dispatch', limit: { amount: 2, unit: 'working-days' } },
      resolve: {
        countedFrom: 'dispatch',
        limit: { amount: 5, unit: 'working-days' },
        extension: { maxAmount: 10, maxCount: 1, unit: 'working-days' },
        platformDeadlineOverrides: true,
      },
      callback: { countedFrom: 'resolution', limit: { amount: 2, unit: 'working-days' } },
    },
    urgent: {
      sign: { limit: { amount: 0.5, unit: 'working-hours' } },
      resolve: { limit: { unit: 'same-working-day' } },
    },
  },
  dispute: {
    normal: {
      mediation: { countedFrom: 'acceptance', limit: { amount: 30, unit: 'calendar-days' } },
      'judicial-confirmation': { countedFrom: 'mediation agreement', limit: { amount: 30, unit: 'calendar-days' } },
    },
  },
});
