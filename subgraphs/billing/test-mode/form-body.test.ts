import { asList, FormBodyError, parseFormBody } from './form-body.js';

test('nests bracketed keys into objects and lists, and decodes values', () => {
  const parsed = parseFormBody(
    'mode=payment&metadata[team]=t%201&line_items[0][price_data][currency]=usd' +
      '&line_items[0][price_data][product_data][name]=10+credits&line_items[0][quantity]=2' +
      '&expand[]=payment_intent&expand[]=customer&payment_method_types%5B0%5D=card&empty=',
  );
  expect(JSON.parse(JSON.stringify(parsed))).toEqual({
    mode: 'payment',
    metadata: { team: 't 1' },
    line_items: {
      '0': { price_data: { currency: 'usd', product_data: { name: '10 credits' } }, quantity: '2' },
    },
    expand: ['payment_intent', 'customer'],
    payment_method_types: { '0': 'card' },
    empty: '',
  });
  expect(asList(parsed.line_items)).toHaveLength(1);
  expect(asList(parsed.expand)).toEqual(['payment_intent', 'customer']);
  expect(asList(parsed.metadata)).toBeUndefined();
});

test('indexed lists read in index order, whatever order they were sent in', () => {
  expect(asList(parseFormBody('x[1]=b&x[0]=a&x[10]=c').x)).toEqual(['a', 'b', 'c']);
});

test('refuses keys that conflict or do not follow the grammar, and keeps __proto__ as data', () => {
  expect(() => parseFormBody('a=1&a[b]=2')).toThrow(FormBodyError);
  expect(() => parseFormBody('a[b]=2&a=1')).toThrow(FormBodyError);
  expect(() => parseFormBody('a[b=1')).toThrow(FormBodyError);
  expect(() => parseFormBody('[a]=1')).toThrow(FormBodyError);
  expect(() => parseFormBody('a=%E0%A4%A')).toThrow(FormBodyError);
  const parsed = parseFormBody('__proto__[polluted]=yes');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(parsed.__proto__).toEqual({ polluted: 'yes' });
});
