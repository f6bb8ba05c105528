import { compileCel } from '../../apiextensions/cel-library';
import type { FieldError } from '../../errors/kube-error';
import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import {
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
} from '../field-errors';
import { goRaw, goString } from '../go-format';
import { objectsIn, text } from '../object-path';
import { compileSelector } from '../label-selector-rules';
import { validateName } from '../validation';

const GROUP = 'admissionregistration.k8s.io';
const OPERATIONS = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const ACTIONS = ['Deny', 'Warn', 'Audit'];

const spec = (o: KubeObject): JsonObject => (isPlainObject(o.spec) ? o.spec : {});

/** SetDefaults_MatchResources and SetDefaults_NamedRuleWithOperations (v1). */
function defaultMatchResources(match: unknown): void {
  if (!isPlainObject(match)) {
    return;
  }
  match.namespaceSelector ??= {};
  match.objectSelector ??= {};
  match.matchPolicy ??= 'Equivalent';
  for (const rule of [
    ...objectsIn(match.resourceRules),
    ...objectsIn(match.excludeResourceRules),
  ]) {
    rule.scope ??= '*';
  }
}

/** A CEL expression that does not compile: `compilation failed: <parser error>`. */
function expressionErrors(expression: unknown, field: string): FieldError[] {
  if (typeof expression !== 'string' || expression.trim() === '') {
    return [fieldRequired(field, 'expression is not specified')];
  }
  const program = compileCel(expression);
  return program instanceof Error
    ? [fieldInvalid(field, goString(expression), `compilation failed: ${program.message}`)]
    : [];
}

/** validateNamedRuleWithOperations for each rule of a list. */
function ruleErrors(rules: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  objectsIn(rules).forEach((rule, i) => {
    const at = `${field}[${i}]`;
    for (const key of ['operations', 'apiGroups', 'apiVersions', 'resources']) {
      if (!Array.isArray(rule[key]) || rule[key].length === 0) {
        errors.push(fieldRequired(`${at}.${key}`));
      }
    }
    (Array.isArray(rule.operations) ? rule.operations : []).forEach((op: unknown, j) => {
      if (!OPERATIONS.includes(text(op))) {
        errors.push(fieldNotSupported(`${at}.operations[${j}]`, goString(text(op)), OPERATIONS));
      }
    });
    const scope = text(rule.scope);
    if (!['*', 'Cluster', 'Namespaced'].includes(scope)) {
      errors.push(
        fieldNotSupported(`${at}.scope`, goString(scope), ['*', 'Cluster', 'Namespaced']),
      );
    }
  });
  return errors;
}

function matchResourcesErrors(match: unknown, field: string, required: boolean): FieldError[] {
  if (!isPlainObject(match)) {
    return required ? [fieldRequired(field)] : [];
  }
  const errors: FieldError[] = [];
  if (required && (!Array.isArray(match.resourceRules) || match.resourceRules.length === 0)) {
    errors.push(fieldRequired(`${field}.resourceRules`));
  }
  errors.push(...ruleErrors(match.resourceRules, `${field}.resourceRules`));
  errors.push(...ruleErrors(match.excludeResourceRules, `${field}.excludeResourceRules`));
  const policy = text(match.matchPolicy);
  if (!['Exact', 'Equivalent'].includes(policy)) {
    errors.push(
      fieldNotSupported(`${field}.matchPolicy`, goString(policy), ['Equivalent', 'Exact']),
    );
  }
  return errors;
}

/** ValidateValidatingAdmissionPolicy: the checks users meet, with upstream's field paths. */
function validatePolicy(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errors = validateName(obj.metadata.name, 'subdomain');
  const validations = objectsIn(s.validations);
  if (validations.length === 0 && objectsIn(s.auditAnnotations).length === 0) {
    errors.push(
      fieldRequired(
        'spec.validations',
        'validations or auditAnnotations must contain at least one item',
      ),
    );
  }
  validations.forEach((v, i) => {
    errors.push(...expressionErrors(v.expression, `spec.validations[${i}].expression`));
    if (typeof v.messageExpression === 'string') {
      errors.push(
        ...expressionErrors(v.messageExpression, `spec.validations[${i}].messageExpression`),
      );
    }
  });
  objectsIn(s.matchConditions).forEach((c, i) => {
    errors.push(...expressionErrors(c.expression, `spec.matchConditions[${i}].expression`));
  });
  objectsIn(s.variables).forEach((v, i) => {
    if (text(v.name) === '') {
      errors.push(fieldRequired(`spec.variables[${i}].name`));
    }
    errors.push(...expressionErrors(v.expression, `spec.variables[${i}].expression`));
  });
  const failurePolicy = text(s.failurePolicy);
  if (!['Fail', 'Ignore'].includes(failurePolicy)) {
    errors.push(
      fieldNotSupported('spec.failurePolicy', goString(failurePolicy), ['Fail', 'Ignore']),
    );
  }
  if (isPlainObject(s.paramKind)) {
    for (const key of ['apiVersion', 'kind']) {
      if (text(s.paramKind[key]) === '') {
        errors.push(fieldRequired(`spec.paramKind.${key}`));
      }
    }
  }
  errors.push(...matchResourcesErrors(s.matchConstraints, 'spec.matchConstraints', true));
  return errors;
}

/** ValidateValidatingAdmissionPolicyBinding. */
function validateBinding(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errors = validateName(obj.metadata.name, 'subdomain');
  if (text(s.policyName) === '') {
    errors.push(fieldRequired('spec.policyName'));
  }
  const actions = Array.isArray(s.validationActions) ? s.validationActions.map(text) : [];
  if (actions.length === 0) {
    errors.push(
      fieldRequired('spec.validationActions', 'at least one validation action is required'),
    );
  }
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) {
      errors.push(fieldNotSupported(`spec.validationActions[${i}]`, goString(a), ACTIONS));
    }
    if (seen.has(a)) {
      errors.push(fieldDuplicate(`spec.validationActions[${i}]`, goString(a)));
    }
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errors.push(
      fieldInvalid(
        'spec.validationActions',
        goRaw(
          `[]admissionregistration.ValidationAction{${actions.map((a) => goString(a)).join(', ')}}`,
        ),
        'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
      ),
    );
  }
  if (isPlainObject(s.paramRef)) {
    const ref = s.paramRef;
    if (text(ref.name) !== '' && ref.selector !== undefined) {
      errors.push(fieldForbidden('spec.paramRef.name', 'name and selector are mutually exclusive'));
    } else if (text(ref.name) === '' && ref.selector === undefined) {
      errors.push(fieldRequired('spec.paramRef', 'one of name or selector must be set'));
    }
    const action = text(ref.parameterNotFoundAction);
    if (action === '') {
      errors.push(fieldRequired('spec.paramRef.parameterNotFoundAction'));
    } else if (!['Allow', 'Deny'].includes(action)) {
      errors.push(
        fieldNotSupported('spec.paramRef.parameterNotFoundAction', goString(action), [
          'Allow',
          'Deny',
        ]),
      );
    }
  }
  errors.push(...matchResourcesErrors(s.matchResources, 'spec.matchResources', false));
  return errors;
}

/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy: CEL validations enforced on writes. */
export const validatingAdmissionPolicyKind = defineKind({
  group: GROUP,
  version: 'v1',
  resource: 'validatingadmissionpolicies',
  kind: 'ValidatingAdmissionPolicy',
  scope: 'Cluster',
  categories: ['api-extensions'],
  subresources: ['status'],
  columns: [
    NAME_COLUMN,
    column('Validations', (o) => objectsIn(spec(o).validations).length, {
      type: 'integer',
      description:
        'Validations indicates the number of validation rules defined in this configuration',
    }),
    column(
      'ParamKind',
      (o) => {
        const kind = spec(o).paramKind;
        return isPlainObject(kind) ? `${text(kind.apiVersion)}/${text(kind.kind)}` : '<unset>';
      },
      { description: 'ParamKind specifies the kind of resources used to parameterize this policy' },
    ),
    AGE_COLUMN,
  ],
  defaultOnWrite(obj) {
    const s = spec(obj);
    if (isPlainObject(obj.spec)) {
      s.failurePolicy ??= 'Fail';
      defaultMatchResources(s.matchConstraints);
    }
  },
  validate: validatePolicy,
});

/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding: a policy's scope and actions. */
export const validatingAdmissionPolicyBindingKind = defineKind({
  group: GROUP,
  version: 'v1',
  resource: 'validatingadmissionpolicybindings',
  kind: 'ValidatingAdmissionPolicyBinding',
  scope: 'Cluster',
  categories: ['api-extensions'],
  columns: [
    NAME_COLUMN,
    column('PolicyName', (o) => text(spec(o).policyName), {
      description: 'PolicyName indicates the policy definition which the policy binding binded to',
    }),
    column(
      'ParamRef',
      (o) => {
        const ref = spec(o).paramRef;
        if (!isPlainObject(ref)) {
          return '<unset>';
        }
        if (text(ref.name) !== '') {
          return `${text(ref.namespace) || '*'}/${text(ref.name)}`;
        }
        return compileSelector(ref.selector)?.text || '<none>';
      },
      { description: 'ParamRef indicates the param resource which sets the configration param' },
    ),
    AGE_COLUMN,
  ],
  defaultOnWrite(obj) {
    defaultMatchResources(spec(obj).matchResources);
  },
  validate: validateBinding,
});
