import type { AttachmentState, VolumeState } from '@app/cloud-contracts';

/**
 * The state of a created, not-deleting volume, from its attachments: in-use while any is
 * attached (a multi-attach volume stays in-use while another instance attaches or detaches);
 * otherwise attaching or detaching while one is in flight; available with none.
 */
export function stateFromAttachments(states: AttachmentState[]): VolumeState {
  if (states.includes('attached')) {
    return 'in-use';
  }
  if (states.includes('attaching')) {
    return 'attaching';
  }
  if (states.includes('detaching')) {
    return 'detaching';
  }
  return 'available';
}
