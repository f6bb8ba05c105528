import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MinLength } from 'class-validator';

import { toBoolean } from './flag-formats';

/** Any class, abstract ones included (ControlPlaneConfig). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor<T = object> = abstract new (...args: any[]) => T;

/**
 * The flags of every component that calls the Nimbus cloud (the CCM, the simulated kubelets,
 * `nimbus lb-address`): where it is, the project token, and how to trust its certificate. A mixin,
 * so each component's config keeps its own base class: `class X extends withCloudClientFlags(Base)`.
 */
export function withCloudClientFlags<TBase extends Constructor>(Base: TBase) {
  abstract class CloudClientFlagsOf extends Base {
    @IsString()
    @MinLength(1)
    cloudUrl = 'http://127.0.0.1:8080';

    @IsOptional()
    @IsString()
    @MinLength(1)
    cloudToken?: string;

    /** PEM CA bundle that signed the cloud API's certificate (`https://` URLs). */
    @IsOptional()
    @IsString()
    @MinLength(1)
    cloudCaFile?: string;

    /** Accept any certificate (logged as a warning at every start): for experiments only. */
    @Transform(toBoolean)
    @IsBoolean()
    cloudInsecureSkipTlsVerify = false;
  }
  return CloudClientFlagsOf;
}

/** The cloud client flags on their own. */
export class CloudClientFlags extends withCloudClientFlags(class {}) {}
