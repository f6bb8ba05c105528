import type { FieldError } from '../errors/kube-error';
import { fieldInvalid } from './field-errors';
import { goString } from './go-format';

/** DNS-1123 names with apimachinery's messages (IsDNS1123Label / IsDNS1123Subdomain). */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** validation.IsDNS1123Label. */
export function dns1123LabelMessages(value: string): string[] {
  const messages: string[] = [];
  if (value.length > 63) {
    messages.push('must be no more than 63 characters');
  }
  if (!DNS1123_LABEL.test(value)) {
    messages.push(DNS1123_LABEL_MSG);
  }
  return messages;
}

/** validation.IsDNS1123Subdomain. */
export function dns1123SubdomainMessages(value: string): string[] {
  const messages: string[] = [];
  if (value.length > 253) {
    messages.push('must be no more than 253 characters');
  }
  if (!DNS1123_SUBDOMAIN.test(value)) {
    messages.push(DNS1123_SUBDOMAIN_MSG);
  }
  return messages;
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** validation.IsDNS1035Label (Service names, CRD kinds). */
export function dns1035LabelMessages(value: string): string[] {
  const messages: string[] = [];
  if (value.length > 63) {
    messages.push('must be no more than 63 characters');
  }
  if (!DNS1035_LABEL.test(value)) {
    messages.push(DNS1035_LABEL_MSG);
  }
  return messages;
}

/** ValidateDNS1123Label at `field`. */
export const dns1123LabelErrors = (value: string, field: string): FieldError[] =>
  dns1123LabelMessages(value).map((m) => fieldInvalid(field, goString(value), m));

export const dns1123SubdomainErrors = (value: string, field: string): FieldError[] =>
  dns1123SubdomainMessages(value).map((m) => fieldInvalid(field, goString(value), m));

/** pathvalidation.IsValidPathSegmentName (object references' kinds and names). */
export function pathSegmentMessages(name: string): string[] {
  if (name === '.' || name === '..') {
    return [`may not be '${name}'`];
  }
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}
