import { mergeTolerations } from './runtime-class-admission';

describe('mergeTolerations (pkg/util/tolerations)', () => {
  const equal = { key: 'a', operator: 'Equal', value: 'x', effect: 'NoSchedule' };

  it('keeps distinct tolerations of both lists, in order, and drops exact repeats', () => {
    const other = { key: 'b', operator: 'Exists' };
    expect(mergeTolerations([equal], [other, { ...equal }])).toEqual([equal, other]);
  });

  it('keeps only the broader of two overlapping tolerations, wherever it stands', () => {
    const anyEffect = { key: 'a', operator: 'Exists' };
    expect(mergeTolerations([equal], [anyEffect])).toEqual([anyEffect]);
    const everything = { operator: 'Exists' };
    expect(mergeTolerations([everything], [equal, anyEffect])).toEqual([everything]);
  });

  it('treats a shorter NoExecute tolerationSeconds as narrower', () => {
    const long = { key: 'n', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
    const short = { ...long, tolerationSeconds: 60 };
    expect(mergeTolerations([short], [long])).toEqual([long]);
    const forever = { key: 'n', operator: 'Exists', effect: 'NoExecute' };
    expect(mergeTolerations([long], [forever])).toEqual([forever]);
  });
});
