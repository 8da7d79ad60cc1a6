/**
 * Prompt templates (decision 99): text with `{{name}}` placeholders, nothing else. A placeholder
 * is `{{`, optional spaces, a variable path (`name` or `name.field.sub`, each part a letter or `_`
 * then letters, digits or `_`), optional spaces, `}}`. `\{{` is a literal `{{` (the only escape).
 * Any other `{{` is an error when the version is created, so a template that saved renders.
 * Rendering is one pass: a value is inserted as it is and never read as template again, so a
 * variable cannot add placeholders or reach anything but the variables it was given.
 */

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** A piece of a parsed template: literal text, or the path of a variable to insert. */
export type TemplatePart = { text: string } | { path: string[] };

export class TemplateError extends Error {
  constructor(
    message: string,
    /** Character offset in the template where the problem starts. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** The template's parts, or TemplateError at the first `{{` that does not open a placeholder. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('\\{{', i)) {
      text += '{{';
      i += 3;
      continue;
    }
    if (!template.startsWith('{{', i)) {
      text += template[i];
      i += 1;
      continue;
    }
    const close = template.indexOf('}}', i + 2);
    if (close < 0) throw new TemplateError('"{{" opens a placeholder that is never closed.', i);
    const path = template.slice(i + 2, close).trim();
    if (!PATH.test(path)) {
      throw new TemplateError(
        `"{{${template.slice(i + 2, close)}}}" is not a placeholder: write {{name}} or {{name.field}}, or \\{{ for a literal "{{".`,
        i,
      );
    }
    if (text) parts.push({ text });
    text = '';
    parts.push({ path: path.split('.') });
    i = close + 2;
  }
  if (text) parts.push({ text });
  return parts;
}

/** The distinct variable paths a template reads, as written (`a.b`). */
export function placeholdersOf(parts: readonly TemplatePart[]): string[] {
  return [...new Set(parts.flatMap((p) => ('path' in p ? [p.path.join('.')] : [])))];
}

/** What a path reads from the variables; undefined when any step is missing. */
function lookup(variables: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = variables;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A value as text: strings as they are, anything else as JSON. */
const textOf = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The template with its placeholders filled; `missing` gets each path with no value (undefined or
 * null), and its placeholder renders as nothing.
 */
export function renderTemplate(
  parts: readonly TemplatePart[],
  variables: Record<string, unknown>,
  missing: (path: string) => void,
): string {
  return parts
    .map((part) => {
      if ('text' in part) return part.text;
      const value = lookup(variables, part.path);
      if (value === undefined || value === null) {
        missing(part.path.join('.'));
        return '';
      }
      return textOf(value);
    })
    .join('');
}
