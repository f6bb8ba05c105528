import type { KubeObject } from '../../object/types';
import { isPlainObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { formatLabels } from '../label-selector-rules';
import { getPath } from '../object-path';
import { defaultPodTemplate } from '../pod-spec-defaults';
import { podSpecStrategies } from '../pod-spec-strategies';
import { validatePodTemplate } from '../pod-spec-validation';
import { validateName } from '../validation';
import { containerCells } from '../workload-table';

function validatePodTemplateObject(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  return [
    ...(old ? [] : validateName(obj.metadata.name, 'subdomain')),
    ...validatePodTemplate(obj.template, 'template'),
  ];
}

const containers = (o: KubeObject) => containerCells(getPath(o, 'template.spec.containers'));

/** core/v1 PodTemplate: a stored pod template (printPodTemplate's columns; no Age column upstream). */
export const podTemplateKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'podtemplates',
  kind: 'PodTemplate',
  scope: 'Namespaced',
  deleteReturnsStatus: false,
  listStrategies: podSpecStrategies('template.spec'),
  columns: [
    NAME_COLUMN,
    column('Containers', (o) => containers(o).names, {
      description: 'Names of each container in the template.',
    }),
    column('Images', (o) => containers(o).images, {
      description: 'Images referenced by each container in the template.',
    }),
    column('Pod Labels', (o) => formatLabels(getPath(o, 'template.metadata.labels')), {
      description: 'The labels for the pod template.',
    }),
  ],
  defaultOnCreate(obj) {
    // podTemplateStrategy: generation 1 at create, bumped when the template changes.
    obj.metadata.generation = 1;
  },
  generationSource: (o) => o.template,
  defaultOnWrite(obj) {
    if (!isPlainObject(obj.template)) {
      obj.template = {};
    }
    defaultPodTemplate(obj.template);
  },
  validate: validatePodTemplateObject,
});
