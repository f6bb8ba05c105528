import { BalancedAllocation } from '../plugins/balanced-allocation';
import { DefaultPreemption, type PreemptionExecutor } from '../plugins/default-preemption';
import { ImageLocality } from '../plugins/image-locality';
import { InterPodAffinity } from '../plugins/inter-pod-affinity/inter-pod-affinity';
import { PluginNames } from '../plugins/names';
import { NodeAffinity } from '../plugins/node-affinity';
import { NodeName } from '../plugins/node-name';
import { NodePorts } from '../plugins/node-ports';
import { NodeResourcesFit } from '../plugins/node-resources-fit';
import { NodeUnschedulable } from '../plugins/node-unschedulable';
import { PodTopologySpread } from '../plugins/pod-topology-spread/pod-topology-spread';
import { SchedulingGates } from '../plugins/scheduling-gates';
import { TaintToleration } from '../plugins/taint-toleration';
import { volumePlugins } from '../plugins/volumes/volume-plugins';
import { Framework } from './framework';
import type { Handle, Plugin } from './interfaces';

/** Score weights of the default profile (default_plugins.go, MultiPoint). */
export const DEFAULT_SCORE_WEIGHTS: Readonly<Record<string, number>> = {
  [PluginNames.TaintToleration]: 3,
  [PluginNames.NodeAffinity]: 2,
  [PluginNames.NodeResourcesFit]: 1,
  [PluginNames.PodTopologySpread]: 2,
  [PluginNames.InterPodAffinity]: 2,
  [PluginNames.NodeResourcesBalancedAllocation]: 1,
  [PluginNames.ImageLocality]: 1,
};

export interface ProfileOptions {
  /** Tie-breaks and preemption offsets. */
  random: () => number;
  /** Evicts victims; without it preemption only explains itself. */
  preemption?: PreemptionExecutor;
}

/**
 * The default profile's plugins in upstream order (filters run in this order, the first rejection
 * decides a node's reason): SchedulingGates, NodeUnschedulable, NodeName, TaintToleration,
 * NodeAffinity, NodePorts, NodeResourcesFit, VolumeRestrictions, NodeVolumeLimits, VolumeBinding,
 * VolumeZone, PodTopologySpread, InterPodAffinity, DefaultPreemption, BalancedAllocation,
 * ImageLocality. (PrioritySort is the queue's order; DefaultBinder the binding call.)
 */
export function defaultFramework(handle: Handle, options: ProfileOptions): Framework {
  // DefaultPreemption re-runs the filters, so it needs the framework it is part of.
  const self: { framework?: Framework } = {};
  const plugins: Plugin[] = [
    new SchedulingGates(),
    new NodeUnschedulable(),
    new NodeName(),
    new TaintToleration(),
    new NodeAffinity(),
    new NodePorts(),
    new NodeResourcesFit(),
    ...volumePlugins(handle),
    new PodTopologySpread(handle.listers, handle.cache),
    new InterPodAffinity(handle.cache, handle.listers),
    new DefaultPreemption(() => self.framework!, options.random, options.preemption),
    new BalancedAllocation(),
    new ImageLocality(handle.cache),
  ];
  self.framework = new Framework(plugins, DEFAULT_SCORE_WEIGHTS);
  return self.framework;
}
