/**
 * Text the service stores or echoes must be text: no NUL or other C0 control character (tab, line
 * feed and carriage return excepted), no DEL, and no lone UTF-16 surrogate, which has no UTF-8
 * form and would be stored as mojibake. Valid UTF-8 on the wire rules out the last only for raw
 * bytes: JSON's `\uD800` escape still carries one.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` is not acceptable text, or undefined when it is. */
export function textProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) {
      return `must not contain control characters (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
    }
  }
  if (LONE_SURROGATE.test(value)) return 'must not contain a lone UTF-16 surrogate (not a character)';
  return undefined;
}
