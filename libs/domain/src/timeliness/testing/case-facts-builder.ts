import type { CaseFacts } from '../case-facts';

/** A CaseFacts row with empty lists and neutral identity fields, for specs that set only what they count. */
export function caseFacts(fields: Pick<CaseFacts, 'caseId' | 'number' | 'kind'> & Partial<CaseFacts>): CaseFacts {
  return {
    orgId: 'org-dayanta',
    title: `${fields.number} 标题`,
    community: '曲江社区',
    urgency: 'normal',
    episodes: [],
    callbacks: [],
    repeatOf: [],
    supervisions: [],
    ...fields,
  };
}
