import { CASE_STATUSES, TERMINAL_STATUSES } from './case.types';
import { LIFECYCLE_RULES, type LifecycleRule } from './lifecycle-rules';

/**
 * docs/domain/state-machine.md, rendered from LIFECYCLE_RULES: the table a maintainer reads is the
 * table the service checks (lifecycle-rules.doc.unit.spec.ts fails when the file is stale).
 */
export function renderStateMachine(): string {
  const rules = Object.entries(LIFECYCLE_RULES) as [string, LifecycleRule][];
  const rows = rules.map(
    ([action, rule]) =>
      `| \`${action}\` | ${list(rule.from)} | ${rule.to === 'unchanged' ? 'unchanged' : list(rule.to)} | ${list(rule.kinds)} | ${list(rule.roles)} | ${rule.summary} |`,
  );
  const edges = rules.flatMap(([action, rule]) =>
    rule.to === 'unchanged'
      ? []
      : rule.from.flatMap((from) =>
          (rule.to as readonly string[]).filter((to) => to !== from).map((to) => `  ${from} --> ${to}: ${action}`),
        ),
  );
  return `<!-- Generated from libs/domain/src/cases/lifecycle-rules.ts by lifecycle-rules.doc.unit.spec.ts: do not edit by hand.
     Regenerate with: UPDATE_DOCS=1 npx jest libs/domain/src/cases/lifecycle-rules.doc.unit.spec.ts -->

# The case state machine

Every case is in one of these statuses: ${list(CASE_STATUSES)}. ${list(TERMINAL_STATUSES)} are
terminal, except that a closed petition can still ask for a re-examination inside its window.

The 12345 platform's own steps arrive over Kafka and are run by its \`system\` actor: \`urge\`
(催办) and \`withdraw\` (撤单). A user may record them too when the platform told the service
otherwise (by phone, in writing): the desk an urge, which changes no status and no deadline; a
supervisor or admin a withdrawal, which ends every running deadline of the ticket and so must not
be a clerk's way around an overdue milestone (docs/timeliness-rules.md, withdrawn tickets).

Intake opens a case: a petition or a dispute starts \`registered\`; a 12345 hotline ticket arrives
already accepted by the city platform and starts \`accepted\`.

Each lifecycle command below is \`POST /api/cases/{id}/<command>\`. The service checks, in this
order, before any decision runs: the case's status (409 when not listed in *from*), its kind (422),
the actor's role (403), and, for a handling-unit user, that the case is dispatched to its own unit
(403). The decision itself then applies the business rules of the command (windows, limits,
required fields: 422).

| command | from | to | kinds | roles | what it does |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

\`\`\`mermaid
stateDiagram-v2
  [*] --> registered: intake (petition, dispute)
  [*] --> accepted: intake (hotline)
${[...new Set(edges)].join('\n')}
${TERMINAL_STATUSES.map((status) => `  ${status} --> [*]`).join('\n')}
\`\`\`
`;
}

function list(values: readonly string[]): string {
  return values.map((value) => `\`${value}\``).join(', ');
}
