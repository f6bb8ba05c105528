import { OBJECT_META, type Schema } from './kube-protobuf-schema';

/**
 * The workload messages kubectl's typed `create` commands send as protobuf (k8s.io/api 1.32
 * generated.proto field numbers): Deployment (`create deployment`), Job (`create job`, also
 * `--from=cronjob/…` with the CronJob's whole, defaulted template), CronJob (`create cronjob`)
 * and PodDisruptionBudget (`create poddisruptionbudget`). PodSpec and Container cover the fields
 * pod templates commonly carry; fields not listed here are skipped by the decoder.
 * `pointer` marks Go pointer fields, whose zero values are meaningful (`replicas: 0`).
 */

const STRING_LIST = { type: 'string', repeated: true } as const;

/** LabelSelectorRequirement and NodeSelectorRequirement share their layout. */
const REQUIREMENT: Schema = {
  1: { name: 'key', type: 'string' },
  2: { name: 'operator', type: 'string' },
  3: { name: 'values', ...STRING_LIST },
};

export const LABEL_SELECTOR: Schema = {
  1: { name: 'matchLabels', type: 'map' },
  2: { name: 'matchExpressions', type: REQUIREMENT, repeated: true },
};

const LOCAL_REF: Schema = { 1: { name: 'name', type: 'string' } };
const INLINE_REF = { name: '', type: LOCAL_REF, inline: true } as const;

const FIELD_REF: Schema = {
  1: { name: 'apiVersion', type: 'string' },
  2: { name: 'fieldPath', type: 'string' },
};
const RESOURCE_FIELD_REF: Schema = {
  1: { name: 'containerName', type: 'string' },
  2: { name: 'resource', type: 'string' },
  3: { name: 'divisor', type: 'quantity', pointer: true },
};
const KEY_SELECTOR: Schema = {
  1: INLINE_REF,
  2: { name: 'key', type: 'string' },
  3: { name: 'optional', type: 'bool', pointer: true },
};
const KEY_TO_PATH: Schema = {
  1: { name: 'key', type: 'string' },
  2: { name: 'path', type: 'string' },
  3: { name: 'mode', type: 'int', pointer: true },
};

const ENV_VAR: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'value', type: 'string' },
  3: {
    name: 'valueFrom',
    pointer: true,
    type: {
      1: { name: 'fieldRef', type: FIELD_REF, pointer: true },
      2: { name: 'resourceFieldRef', type: RESOURCE_FIELD_REF, pointer: true },
      3: { name: 'configMapKeyRef', type: KEY_SELECTOR, pointer: true },
      4: { name: 'secretKeyRef', type: KEY_SELECTOR, pointer: true },
    },
  },
};
const ENV_SOURCE_REF: Schema = {
  1: INLINE_REF,
  2: { name: 'optional', type: 'bool', pointer: true },
};
const ENV_FROM: Schema = {
  1: { name: 'prefix', type: 'string' },
  2: { name: 'configMapRef', type: ENV_SOURCE_REF, pointer: true },
  3: { name: 'secretRef', type: ENV_SOURCE_REF, pointer: true },
};

const CONTAINER_PORT: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'hostPort', type: 'int' },
  3: { name: 'containerPort', type: 'int' },
  4: { name: 'protocol', type: 'string' },
  5: { name: 'hostIP', type: 'string' },
};

const RESOURCES: Schema = {
  1: { name: 'limits', type: 'quantityMap' },
  2: { name: 'requests', type: 'quantityMap' },
  3: {
    name: 'claims',
    repeated: true,
    type: { 1: { name: 'name', type: 'string' }, 2: { name: 'request', type: 'string' } },
  },
};

const VOLUME_MOUNT: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'readOnly', type: 'bool' },
  7: { name: 'recursiveReadOnly', type: 'string', pointer: true },
  3: { name: 'mountPath', type: 'string' },
  4: { name: 'subPath', type: 'string' },
  5: { name: 'mountPropagation', type: 'string', pointer: true },
  6: { name: 'subPathExpr', type: 'string' },
};

const EXEC: Schema = { 1: { name: 'command', ...STRING_LIST } };
const HTTP_GET: Schema = {
  1: { name: 'path', type: 'string' },
  2: { name: 'port', type: 'intOrString' },
  3: { name: 'host', type: 'string' },
  4: { name: 'scheme', type: 'string' },
  5: {
    name: 'httpHeaders',
    repeated: true,
    type: { 1: { name: 'name', type: 'string' }, 2: { name: 'value', type: 'string' } },
  },
};
const TCP_SOCKET: Schema = {
  1: { name: 'port', type: 'intOrString' },
  2: { name: 'host', type: 'string' },
};
const PROBE: Schema = {
  1: {
    name: '',
    inline: true,
    type: {
      1: { name: 'exec', type: EXEC, pointer: true },
      2: { name: 'httpGet', type: HTTP_GET, pointer: true },
      3: { name: 'tcpSocket', type: TCP_SOCKET, pointer: true },
      4: {
        name: 'grpc',
        pointer: true,
        type: {
          1: { name: 'port', type: 'int' },
          2: { name: 'service', type: 'string', pointer: true },
        },
      },
    },
  },
  2: { name: 'initialDelaySeconds', type: 'int' },
  3: { name: 'timeoutSeconds', type: 'int' },
  4: { name: 'periodSeconds', type: 'int' },
  5: { name: 'successThreshold', type: 'int' },
  6: { name: 'failureThreshold', type: 'int' },
  7: { name: 'terminationGracePeriodSeconds', type: 'int', pointer: true },
};
const LIFECYCLE_HANDLER: Schema = {
  1: { name: 'exec', type: EXEC, pointer: true },
  2: { name: 'httpGet', type: HTTP_GET, pointer: true },
  3: { name: 'tcpSocket', type: TCP_SOCKET, pointer: true },
  4: { name: 'sleep', type: { 1: { name: 'seconds', type: 'int' } }, pointer: true },
};

const SECCOMP: Schema = {
  1: { name: 'type', type: 'string' },
  2: { name: 'localhostProfile', type: 'string', pointer: true },
};
const SELINUX: Schema = {
  1: { name: 'user', type: 'string' },
  2: { name: 'role', type: 'string' },
  3: { name: 'type', type: 'string' },
  4: { name: 'level', type: 'string' },
};
const SECURITY_CONTEXT: Schema = {
  1: {
    name: 'capabilities',
    pointer: true,
    type: { 1: { name: 'add', ...STRING_LIST }, 2: { name: 'drop', ...STRING_LIST } },
  },
  2: { name: 'privileged', type: 'bool', pointer: true },
  3: { name: 'seLinuxOptions', type: SELINUX, pointer: true },
  4: { name: 'runAsUser', type: 'int', pointer: true },
  8: { name: 'runAsGroup', type: 'int', pointer: true },
  5: { name: 'runAsNonRoot', type: 'bool', pointer: true },
  6: { name: 'readOnlyRootFilesystem', type: 'bool', pointer: true },
  7: { name: 'allowPrivilegeEscalation', type: 'bool', pointer: true },
  9: { name: 'procMount', type: 'string', pointer: true },
  11: { name: 'seccompProfile', type: SECCOMP, pointer: true },
};
const POD_SECURITY_CONTEXT: Schema = {
  1: { name: 'seLinuxOptions', type: SELINUX, pointer: true },
  2: { name: 'runAsUser', type: 'int', pointer: true },
  6: { name: 'runAsGroup', type: 'int', pointer: true },
  3: { name: 'runAsNonRoot', type: 'bool', pointer: true },
  4: { name: 'supplementalGroups', type: 'int', repeated: true },
  5: { name: 'fsGroup', type: 'int', pointer: true },
  7: {
    name: 'sysctls',
    repeated: true,
    type: { 1: { name: 'name', type: 'string' }, 2: { name: 'value', type: 'string' } },
  },
  9: { name: 'fsGroupChangePolicy', type: 'string', pointer: true },
  10: { name: 'seccompProfile', type: SECCOMP, pointer: true },
};

const CONTAINER: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'image', type: 'string' },
  3: { name: 'command', ...STRING_LIST },
  4: { name: 'args', ...STRING_LIST },
  5: { name: 'workingDir', type: 'string' },
  6: { name: 'ports', type: CONTAINER_PORT, repeated: true },
  19: { name: 'envFrom', type: ENV_FROM, repeated: true },
  7: { name: 'env', type: ENV_VAR, repeated: true },
  8: { name: 'resources', type: RESOURCES },
  24: { name: 'restartPolicy', type: 'string', pointer: true },
  9: { name: 'volumeMounts', type: VOLUME_MOUNT, repeated: true },
  10: { name: 'livenessProbe', type: PROBE, pointer: true },
  11: { name: 'readinessProbe', type: PROBE, pointer: true },
  22: { name: 'startupProbe', type: PROBE, pointer: true },
  12: {
    name: 'lifecycle',
    pointer: true,
    type: {
      1: { name: 'postStart', type: LIFECYCLE_HANDLER, pointer: true },
      2: { name: 'preStop', type: LIFECYCLE_HANDLER, pointer: true },
    },
  },
  13: { name: 'terminationMessagePath', type: 'string' },
  20: { name: 'terminationMessagePolicy', type: 'string' },
  14: { name: 'imagePullPolicy', type: 'string' },
  15: { name: 'securityContext', type: SECURITY_CONTEXT, pointer: true },
  16: { name: 'stdin', type: 'bool' },
  17: { name: 'stdinOnce', type: 'bool' },
  18: { name: 'tty', type: 'bool' },
};

const DOWNWARD_FILE: Schema = {
  1: { name: 'path', type: 'string' },
  2: { name: 'fieldRef', type: FIELD_REF, pointer: true },
  3: { name: 'resourceFieldRef', type: RESOURCE_FIELD_REF, pointer: true },
  4: { name: 'mode', type: 'int', pointer: true },
};
const PROJECTED_REF: Schema = {
  1: INLINE_REF,
  2: { name: 'items', type: KEY_TO_PATH, repeated: true },
  4: { name: 'optional', type: 'bool', pointer: true },
};
const VOLUME_SOURCE: Schema = {
  1: {
    name: 'hostPath',
    pointer: true,
    type: {
      1: { name: 'path', type: 'string' },
      2: { name: 'type', type: 'string', pointer: true },
    },
  },
  2: {
    name: 'emptyDir',
    pointer: true,
    type: {
      1: { name: 'medium', type: 'string' },
      2: { name: 'sizeLimit', type: 'quantity', pointer: true },
    },
  },
  6: {
    name: 'secret',
    pointer: true,
    type: {
      1: { name: 'secretName', type: 'string' },
      2: { name: 'items', type: KEY_TO_PATH, repeated: true },
      3: { name: 'defaultMode', type: 'int', pointer: true },
      4: { name: 'optional', type: 'bool', pointer: true },
    },
  },
  7: {
    name: 'nfs',
    pointer: true,
    type: {
      1: { name: 'server', type: 'string' },
      2: { name: 'path', type: 'string' },
      3: { name: 'readOnly', type: 'bool' },
    },
  },
  10: {
    name: 'persistentVolumeClaim',
    pointer: true,
    type: { 1: { name: 'claimName', type: 'string' }, 2: { name: 'readOnly', type: 'bool' } },
  },
  16: {
    name: 'downwardAPI',
    pointer: true,
    type: {
      1: { name: 'items', type: DOWNWARD_FILE, repeated: true },
      2: { name: 'defaultMode', type: 'int', pointer: true },
    },
  },
  19: {
    name: 'configMap',
    pointer: true,
    type: {
      1: INLINE_REF,
      2: { name: 'items', type: KEY_TO_PATH, repeated: true },
      3: { name: 'defaultMode', type: 'int', pointer: true },
      4: { name: 'optional', type: 'bool', pointer: true },
    },
  },
  26: {
    name: 'projected',
    pointer: true,
    type: {
      1: {
        name: 'sources',
        repeated: true,
        type: {
          1: { name: 'secret', type: PROJECTED_REF, pointer: true },
          2: {
            name: 'downwardAPI',
            pointer: true,
            type: { 1: { name: 'items', type: DOWNWARD_FILE, repeated: true } },
          },
          3: { name: 'configMap', type: PROJECTED_REF, pointer: true },
          4: {
            name: 'serviceAccountToken',
            pointer: true,
            type: {
              1: { name: 'audience', type: 'string' },
              2: { name: 'expirationSeconds', type: 'int', pointer: true },
              3: { name: 'path', type: 'string' },
            },
          },
        },
      },
      2: { name: 'defaultMode', type: 'int', pointer: true },
    },
  },
  28: {
    name: 'csi',
    pointer: true,
    type: {
      1: { name: 'driver', type: 'string' },
      2: { name: 'readOnly', type: 'bool', pointer: true },
      3: { name: 'fsType', type: 'string', pointer: true },
      4: { name: 'volumeAttributes', type: 'map' },
      5: { name: 'nodePublishSecretRef', type: LOCAL_REF, pointer: true },
    },
  },
};
const VOLUME: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: '', type: VOLUME_SOURCE, inline: true },
};

const NODE_SELECTOR_TERM: Schema = {
  1: { name: 'matchExpressions', type: REQUIREMENT, repeated: true },
  2: { name: 'matchFields', type: REQUIREMENT, repeated: true },
};
const POD_AFFINITY_TERM: Schema = {
  1: { name: 'labelSelector', type: LABEL_SELECTOR, pointer: true },
  2: { name: 'namespaces', ...STRING_LIST },
  3: { name: 'topologyKey', type: 'string' },
  4: { name: 'namespaceSelector', type: LABEL_SELECTOR, pointer: true },
  5: { name: 'matchLabelKeys', ...STRING_LIST },
  6: { name: 'mismatchLabelKeys', ...STRING_LIST },
};
const WEIGHTED_POD_AFFINITY_TERM: Schema = {
  1: { name: 'weight', type: 'int' },
  2: { name: 'podAffinityTerm', type: POD_AFFINITY_TERM },
};
const POD_AFFINITY: Schema = {
  1: {
    name: 'requiredDuringSchedulingIgnoredDuringExecution',
    type: POD_AFFINITY_TERM,
    repeated: true,
  },
  2: {
    name: 'preferredDuringSchedulingIgnoredDuringExecution',
    type: WEIGHTED_POD_AFFINITY_TERM,
    repeated: true,
  },
};
const AFFINITY: Schema = {
  1: {
    name: 'nodeAffinity',
    pointer: true,
    type: {
      1: {
        name: 'requiredDuringSchedulingIgnoredDuringExecution',
        pointer: true,
        type: { 1: { name: 'nodeSelectorTerms', type: NODE_SELECTOR_TERM, repeated: true } },
      },
      2: {
        name: 'preferredDuringSchedulingIgnoredDuringExecution',
        repeated: true,
        type: {
          1: { name: 'weight', type: 'int' },
          2: { name: 'preference', type: NODE_SELECTOR_TERM },
        },
      },
    },
  },
  2: { name: 'podAffinity', type: POD_AFFINITY, pointer: true },
  3: { name: 'podAntiAffinity', type: POD_AFFINITY, pointer: true },
};

const TOLERATION: Schema = {
  1: { name: 'key', type: 'string' },
  2: { name: 'operator', type: 'string' },
  3: { name: 'value', type: 'string' },
  4: { name: 'effect', type: 'string' },
  5: { name: 'tolerationSeconds', type: 'int', pointer: true },
};

const TOPOLOGY_SPREAD: Schema = {
  1: { name: 'maxSkew', type: 'int' },
  2: { name: 'topologyKey', type: 'string' },
  3: { name: 'whenUnsatisfiable', type: 'string' },
  4: { name: 'labelSelector', type: LABEL_SELECTOR, pointer: true },
  5: { name: 'minDomains', type: 'int', pointer: true },
  6: { name: 'nodeAffinityPolicy', type: 'string', pointer: true },
  7: { name: 'nodeTaintsPolicy', type: 'string', pointer: true },
  8: { name: 'matchLabelKeys', ...STRING_LIST },
};

const POD_SPEC: Schema = {
  1: { name: 'volumes', type: VOLUME, repeated: true },
  20: { name: 'initContainers', type: CONTAINER, repeated: true },
  2: { name: 'containers', type: CONTAINER, repeated: true },
  3: { name: 'restartPolicy', type: 'string' },
  4: { name: 'terminationGracePeriodSeconds', type: 'int', pointer: true },
  5: { name: 'activeDeadlineSeconds', type: 'int', pointer: true },
  6: { name: 'dnsPolicy', type: 'string' },
  7: { name: 'nodeSelector', type: 'map' },
  8: { name: 'serviceAccountName', type: 'string' },
  9: { name: 'serviceAccount', type: 'string' },
  21: { name: 'automountServiceAccountToken', type: 'bool', pointer: true },
  10: { name: 'nodeName', type: 'string' },
  11: { name: 'hostNetwork', type: 'bool' },
  12: { name: 'hostPID', type: 'bool' },
  13: { name: 'hostIPC', type: 'bool' },
  27: { name: 'shareProcessNamespace', type: 'bool', pointer: true },
  14: { name: 'securityContext', type: POD_SECURITY_CONTEXT, pointer: true },
  15: { name: 'imagePullSecrets', type: LOCAL_REF, repeated: true },
  16: { name: 'hostname', type: 'string' },
  17: { name: 'subdomain', type: 'string' },
  18: { name: 'affinity', type: AFFINITY, pointer: true },
  19: { name: 'schedulerName', type: 'string' },
  22: { name: 'tolerations', type: TOLERATION, repeated: true },
  23: {
    name: 'hostAliases',
    repeated: true,
    type: { 1: { name: 'ip', type: 'string' }, 2: { name: 'hostnames', ...STRING_LIST } },
  },
  24: { name: 'priorityClassName', type: 'string' },
  25: { name: 'priority', type: 'int', pointer: true },
  28: {
    name: 'readinessGates',
    repeated: true,
    type: { 1: { name: 'conditionType', type: 'string' } },
  },
  29: { name: 'runtimeClassName', type: 'string', pointer: true },
  30: { name: 'enableServiceLinks', type: 'bool', pointer: true },
  31: { name: 'preemptionPolicy', type: 'string', pointer: true },
  33: { name: 'topologySpreadConstraints', type: TOPOLOGY_SPREAD, repeated: true },
  35: { name: 'setHostnameAsFQDN', type: 'bool', pointer: true },
  37: { name: 'hostUsers', type: 'bool', pointer: true },
  38: { name: 'schedulingGates', type: LOCAL_REF, repeated: true },
};

export const POD_TEMPLATE_SPEC: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'spec', type: POD_SPEC },
};

const DEPLOYMENT: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: {
      1: { name: 'replicas', type: 'int', pointer: true },
      2: { name: 'selector', type: LABEL_SELECTOR, pointer: true },
      3: { name: 'template', type: POD_TEMPLATE_SPEC },
      4: {
        name: 'strategy',
        type: {
          1: { name: 'type', type: 'string' },
          2: {
            name: 'rollingUpdate',
            pointer: true,
            type: {
              1: { name: 'maxUnavailable', type: 'intOrString', pointer: true },
              2: { name: 'maxSurge', type: 'intOrString', pointer: true },
            },
          },
        },
      },
      5: { name: 'minReadySeconds', type: 'int' },
      6: { name: 'revisionHistoryLimit', type: 'int', pointer: true },
      7: { name: 'paused', type: 'bool' },
      9: { name: 'progressDeadlineSeconds', type: 'int', pointer: true },
    },
  },
};

const JOB_SPEC: Schema = {
  1: { name: 'parallelism', type: 'int', pointer: true },
  2: { name: 'completions', type: 'int', pointer: true },
  3: { name: 'activeDeadlineSeconds', type: 'int', pointer: true },
  7: { name: 'backoffLimit', type: 'int', pointer: true },
  12: { name: 'backoffLimitPerIndex', type: 'int', pointer: true },
  13: { name: 'maxFailedIndexes', type: 'int', pointer: true },
  4: { name: 'selector', type: LABEL_SELECTOR, pointer: true },
  5: { name: 'manualSelector', type: 'bool', pointer: true },
  6: { name: 'template', type: POD_TEMPLATE_SPEC },
  8: { name: 'ttlSecondsAfterFinished', type: 'int', pointer: true },
  9: { name: 'completionMode', type: 'string', pointer: true },
  10: { name: 'suspend', type: 'bool', pointer: true },
  14: { name: 'podReplacementPolicy', type: 'string', pointer: true },
  15: { name: 'managedBy', type: 'string', pointer: true },
};

const JOB: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'spec', type: JOB_SPEC },
};

const CRON_JOB: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: {
      1: { name: 'schedule', type: 'string' },
      8: { name: 'timeZone', type: 'string', pointer: true },
      2: { name: 'startingDeadlineSeconds', type: 'int', pointer: true },
      3: { name: 'concurrencyPolicy', type: 'string' },
      4: { name: 'suspend', type: 'bool', pointer: true },
      5: {
        name: 'jobTemplate',
        type: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: JOB_SPEC } },
      },
      6: { name: 'successfulJobsHistoryLimit', type: 'int', pointer: true },
      7: { name: 'failedJobsHistoryLimit', type: 'int', pointer: true },
    },
  },
};

const POD_DISRUPTION_BUDGET: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: {
      1: { name: 'minAvailable', type: 'intOrString', pointer: true },
      2: { name: 'selector', type: LABEL_SELECTOR, pointer: true },
      3: { name: 'maxUnavailable', type: 'intOrString', pointer: true },
      4: { name: 'unhealthyPodEvictionPolicy', type: 'string', pointer: true },
    },
  },
};

export const WORKLOAD_MESSAGES: Record<string, Schema> = {
  Deployment: DEPLOYMENT,
  Job: JOB,
  CronJob: CRON_JOB,
  PodDisruptionBudget: POD_DISRUPTION_BUDGET,
};
