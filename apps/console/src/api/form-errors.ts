import type { FormInstance } from 'antd';
import { ApiProblem, chineseFieldMessage, fieldPath, type FieldError } from './problems';

const sameName = (left: (string | number)[], right: (string | number)[]) =>
  left.length === right.length && left.every((part, index) => String(part) === String(right[index]));

/**
 * Shows a 400's field errors under the form's own fields, in Chinese. Returns the errors that name
 * no field of the form (a rule about the body as a whole), for the caller to show above it.
 */
export function showFieldErrors(form: FormInstance, problem: unknown): FieldError[] {
  if (!(problem instanceof ApiProblem) || problem.status !== 400) return [];
  const registered = form.getFieldsError().map((field) => field.name);
  const unplaced: FieldError[] = [];
  const placed = new Map<string, { name: (string | number)[]; errors: string[] }>();
  for (const error of problem.errors) {
    const name = fieldPath(error.field);
    if (error.field === '' || !registered.some((candidate) => sameName(candidate, name))) {
      unplaced.push(error);
      continue;
    }
    const entry = placed.get(error.field) ?? { name, errors: [] };
    entry.errors.push(chineseFieldMessage(error.message));
    placed.set(error.field, entry);
  }
  form.setFields([...placed.values()]);
  return unplaced;
}
