import { CASE_STATUSES } from './case.types';
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

Every case is in one of these statuses: ${list(CASE_STATUSES)}. \`rejected\` and \`closed\` are
terminal, except that a closed petition can still ask for a re-examination inside its window.

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
  rejected --> [*]
  closed --> [*]
\`\`\`
`;
}

function list(values: readonly string[]): string {
  return values.map((value) => `\`${value}\``).join(', ');
}
