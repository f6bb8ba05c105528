import { fitErrorMessage, newDiagnosis, NodeToStatus } from './fit-error';
import { Status } from './status';

const diagnosisOf = (statuses: [string, Status][], absent?: Status) => {
  const d = newDiagnosis();
  d.nodeToStatus = new NodeToStatus(absent);
  statuses.forEach(([n, s]) => d.nodeToStatus.set(n, s));
  return d;
};

describe('FitError message', () => {
  it('builds C7 byte for byte', () => {
    const d = diagnosisOf([
      ['worker-1', Status.unschedulable('Insufficient cpu')],
      ['worker-2', Status.unschedulable('Insufficient cpu')],
      ['worker-3', Status.unschedulable('Insufficient cpu')],
    ]);
    const preemption = diagnosisOf(
      [
        ['worker-1', Status.unresolvable('No preemption victims found for incoming pod')],
        ['worker-2', Status.unresolvable('No preemption victims found for incoming pod')],
        ['worker-3', Status.unresolvable('No preemption victims found for incoming pod')],
      ],
      Status.unresolvable('Preemption is not helpful for scheduling'),
    );
    d.postFilterMsg = `preemption: ${fitErrorMessage(3, preemption)}`;
    expect(fitErrorMessage(3, d)).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });

  it('builds C8 byte for byte (reasons sorted as strings)', () => {
    const d = diagnosisOf([
      ['worker-2', Status.unschedulable('Insufficient cpu')],
      ['worker-1', Status.unresolvable('node(s) had untolerated taint {dedicated: gpu}')],
      ['worker-3', Status.unschedulable('Insufficient cpu')],
    ]);
    const preemption = diagnosisOf(
      [
        ['worker-2', Status.unresolvable('No preemption victims found for incoming pod')],
        ['worker-3', Status.unresolvable('No preemption victims found for incoming pod')],
      ],
      Status.unresolvable('Preemption is not helpful for scheduling'),
    );
    d.postFilterMsg = `preemption: ${fitErrorMessage(3, preemption)}`;
    expect(fitErrorMessage(3, d)).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('counts every reason of a node and sorts counts as strings ("10 …" before "2 …")', () => {
    const statuses: [string, Status][] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push([`a${i}`, Status.unschedulable('Too many pods')]);
    }
    statuses.push(['b1', Status.unschedulable('Insufficient cpu', 'Insufficient memory')]);
    statuses.push(['b2', Status.unschedulable('Insufficient cpu', 'Insufficient memory')]);
    expect(fitErrorMessage(12, diagnosisOf(statuses))).toBe(
      '0/12 nodes are available: 10 Too many pods, 2 Insufficient cpu, 2 Insufficient memory.',
    );
  });

  it('uses the PreFilter message instead of the node histogram', () => {
    const d = diagnosisOf(
      [],
      Status.unresolvable('pod has unbound immediate PersistentVolumeClaims'),
    );
    d.preFilterMsg = 'pod has unbound immediate PersistentVolumeClaims';
    d.postFilterMsg =
      'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';
    expect(fitErrorMessage(2, d)).toBe(
      '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });

  it('counts the absent status for nodes a PreFilter result excluded', () => {
    const d = diagnosisOf(
      [['n1', Status.unschedulable('Too many pods')]],
      Status.unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]"),
    );
    expect(fitErrorMessage(46, d)).toBe(
      "0/46 nodes are available: 1 Too many pods, 45 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    );
  });
});
