import fc from 'fast-check';
import {
  addLists,
  exceededNames,
  formatQuotaQuantity,
  parseQuotaList,
  parseQuotaQuantity,
  prettyPrintList,
  quotaListJson,
} from './resource-list';

const q = (text: string) => parseQuotaQuantity(text)!;

describe('quota quantities', () => {
  it.each([
    ['0', '0'],
    ['500m', '500m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['2000', '2k'],
    ['1500', '1500'],
    ['1Gi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['1000Mi', '1000Mi'],
    ['512', '512'],
    ['2G', '2G'],
  ])('%s prints as Go prints it: %s', (text, printed) => {
    expect(formatQuotaQuantity(q(text))).toBe(printed);
  });

  it('sums keep the format of the first non-zero operand (Quantity.Add)', () => {
    const sum = addLists(parseQuotaList({ memory: '0' }), parseQuotaList({ memory: '128Mi' }));
    expect(quotaListJson(addLists(sum, parseQuotaList({ memory: '128Mi' })))).toEqual({
      memory: '256Mi',
    });
    expect(
      quotaListJson(addLists(parseQuotaList({ cpu: '1' }), parseQuotaList({ cpu: '500m' }))),
    ).toEqual({
      cpu: '1500m',
    });
  });

  it('leaves out what is not a quantity', () => {
    expect([...parseQuotaList({ pods: 'lots', cpu: '1', memory: 3 }).keys()]).toEqual([
      'cpu',
      'memory',
    ]);
  });

  it('names what exceeds, ignoring names without a limit', () => {
    const used = parseQuotaList({ pods: '3', cpu: '2', 'count/secrets': '9' });
    const hard = parseQuotaList({ pods: '2', cpu: '2' });
    expect(exceededNames(used, hard)).toEqual(['pods']);
    expect(prettyPrintList(used)).toBe('count/secrets=9,cpu=2,pods=3');
  });

  it('prints every whole millicore count back to the same value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.boolean(), (milli, binary) => {
        const printed = formatQuotaQuantity({ milli, binary });
        expect(parseQuotaQuantity(printed)!.milli).toBe(milli);
      }),
    );
  });
});
