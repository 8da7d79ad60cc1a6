import { parseTemplate, placeholdersOf, renderTemplate, TemplateError } from './prompt-template.js';

const render = (template: string, variables: Record<string, unknown>) => {
  const missing: string[] = [];
  const text = renderTemplate(parseTemplate(template), variables, (p) => missing.push(p));
  return { text, missing };
};

describe('prompt templates', () => {
  it('fills placeholders, with spaces and dotted paths, strings as they are and the rest as JSON', () => {
    expect(
      render('Hi {{ name }}, {{user.age}} {{tags}} {{ok}}', {
        name: 'Ada',
        user: { age: 36 },
        tags: ['a', 'b'],
        ok: true,
      }).text,
    ).toBe('Hi Ada, 36 ["a","b"] true');
  });

  it('renders \\{{ as a literal {{ and never reads a value as template', () => {
    expect(render('\\{{name}} is {{name}}', { name: '{{secret}}' })).toEqual({
      text: '{{name}} is {{secret}}',
      missing: [],
    });
  });

  it('reports missing values, own properties only', () => {
    expect(render('{{a}}-{{b.c}}-{{toString}}', { b: {} }).missing).toEqual([
      'a',
      'b.c',
      'toString',
    ]);
  });

  it('refuses a {{ that opens no placeholder, with its offset', () => {
    expect(() => parseTemplate('ok {{ 1 + 1 }}')).toThrow(TemplateError);
    expect(() => parseTemplate('ok {{name')).toThrow(/never closed/);
    try {
      parseTemplate('abc {{x y}}');
    } catch (error) {
      expect((error as TemplateError).offset).toBe(4);
    }
    expect.assertions(3);
  });

  it('lists the distinct placeholders', () => {
    expect(placeholdersOf(parseTemplate('{{a}} {{b.c}} {{a}}'))).toEqual(['a', 'b.c']);
  });
});
