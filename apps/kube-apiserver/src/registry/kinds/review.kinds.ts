import { defineKind } from '../define-kind';

/*
 * authentication.k8s.io/v1 and authorization.k8s.io/v1: the review kinds. Nothing is stored; a
 * POST answers with the object and its computed status (server/review-handler.ts).
 */

const review = (
  group: 'authentication.k8s.io' | 'authorization.k8s.io',
  resource: string,
  kind: string,
  scope: 'Cluster' | 'Namespaced' = 'Cluster',
) => defineKind({ group, version: 'v1', resource, kind, scope, createOnly: true });

export const tokenReviewKind = review('authentication.k8s.io', 'tokenreviews', 'TokenReview');
export const selfSubjectReviewKind = review(
  'authentication.k8s.io',
  'selfsubjectreviews',
  'SelfSubjectReview',
);
export const localSubjectAccessReviewKind = review(
  'authorization.k8s.io',
  'localsubjectaccessreviews',
  'LocalSubjectAccessReview',
  'Namespaced',
);
export const selfSubjectAccessReviewKind = review(
  'authorization.k8s.io',
  'selfsubjectaccessreviews',
  'SelfSubjectAccessReview',
);
export const selfSubjectRulesReviewKind = review(
  'authorization.k8s.io',
  'selfsubjectrulesreviews',
  'SelfSubjectRulesReview',
);
export const subjectAccessReviewKind = review(
  'authorization.k8s.io',
  'subjectaccessreviews',
  'SubjectAccessReview',
);

export const REVIEW_KINDS = [
  tokenReviewKind,
  selfSubjectReviewKind,
  localSubjectAccessReviewKind,
  selfSubjectAccessReviewKind,
  selfSubjectRulesReviewKind,
  subjectAccessReviewKind,
];
