import { isPlainObject, type KubeObject } from '../../object/types';
import {
  CLEANUP_FINALIZER,
  CRD_GROUP,
  crdSpec,
  crdStatus,
  storageVersionOf,
  type CrdCondition,
  type CrdStatus,
} from '../../apiextensions/crd-types';
import { validateCrd } from '../../apiextensions/crd-validation';
import { formatTime } from '../../time/kube-time';
import { defineKind } from '../define-kind';
import { validateName } from '../validation';

/** SetDefaults_CustomResourceDefinitionSpec: conversion None, singular and listKind from kind. */
function defaultCrd(obj: KubeObject): void {
  if (!isPlainObject(obj.spec)) {
    return;
  }
  const spec = crdSpec(obj);
  spec.conversion ??= { strategy: 'None' };
  spec.conversion.strategy ??= 'None';
  const names = spec.names;
  if (names?.kind) {
    names.singular ||= names.kind.toLowerCase();
    names.listKind ||= `${names.kind}List`;
  }
}

/** Every storage version ever used stays in status.storedVersions (PrepareForCreate/Update). */
function recordStorageVersion(obj: KubeObject): void {
  const storage = storageVersionOf(crdSpec(obj));
  const status = { ...crdStatus(obj) };
  const stored = status.storedVersions ?? [];
  if (storage && !stored.includes(storage)) {
    status.storedVersions = [...stored, storage];
  }
  obj.status = status;
}

/** The CRD registry's Delete: the first DELETE only marks the CRD and starts instance cleanup. */
function markForDeletion(obj: KubeObject, nowMs: number): void {
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(CLEANUP_FINALIZER)) {
    obj.metadata.finalizers = [...finalizers, CLEANUP_FINALIZER];
  }
  const status: CrdStatus = { ...crdStatus(obj) };
  const terminating: CrdCondition = {
    type: 'Terminating',
    status: 'True',
    lastTransitionTime: formatTime(nowMs),
    reason: 'InstanceDeletionPending',
    message:
      'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
  };
  status.conditions = [
    ...(status.conditions ?? []).filter((c) => c.type !== 'Terminating'),
    terminating,
  ];
  obj.status = status;
}

/** apiextensions.k8s.io/v1 CustomResourceDefinition: the kinds it defines are served at run time. */
export const customResourceDefinitionKind = defineKind({
  group: CRD_GROUP,
  version: 'v1',
  resource: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  scope: 'Cluster',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  subresources: ['status'],
  deleteReturnsStatus: true,
  defaultOnWrite: defaultCrd,
  defaultOnCreate(obj) {
    obj.status = { acceptedNames: { plural: '', kind: '' } };
    recordStorageVersion(obj);
  },
  prepareForUpdate: (obj) => recordStorageVersion(obj),
  markForDeletion,
  validate: (obj, old) => [
    ...validateName(obj.metadata.name, 'subdomain'),
    ...validateCrd(obj, old),
  ],
});
