import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'nimbus:public';
export const ADMIN_ROUTE = 'nimbus:admin';

/** No token needed (health, metrics, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only admin tokens. */
export const AdminOnly = () => SetMetadata(ADMIN_ROUTE, true);
